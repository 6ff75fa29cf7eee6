using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Tests.Locks;
using MwgActors.Actors.Tests.Support;
using MwgActors.Storage;
using MwgActors.Storage.Memory;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Tests.Cluster;

/// <summary>
/// The storage actor's cluster mode: the writer singleton, which journals batches but keeps no view of its own (each
/// storage node's view follows the journal). It answers no reads, recovers only the journal's highest revision,
/// publishes its position, never snapshots or trims the journal, asks its node's <see cref="LocalView"/> whether a
/// removed key exists, and on <see cref="HandOver"/> answers what is in flight and stops. Run over Akka's in-memory
/// journal; a storage actor with a view (the single-node mode) writes the journal the writer takes over.
/// </summary>
public sealed class StorageWriterActorSpec : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public StorageWriterActorSpec()
        : base(MwgTestConfig.Memory())
    {
        Settings = StorageSettings.Create(Sys.Settings.Config);
    }

    private StorageSettings Settings { get; }

    [Fact]
    public async Task Reads_should_be_refused_as_retryable_because_the_writer_keeps_no_view()
    {
        var writer = StartWriter(new LocalView());
        await WriteAsync(writer, ("a", "1"));

        writer.Tell(new ReadKeys([Utf8("a")], 7));
        await ExpectMsgAsync(new StorageFailed(StorageFailure.Unavailable, Retryable: true, 7));

        writer.Tell(new ScanPrefix(Utf8("a"), 10));
        await ExpectMsgAsync(new StorageFailed(StorageFailure.Unavailable, Retryable: true, 0));
    }

    [Fact]
    public async Task GetReaders_should_answer_no_reader_pool_and_no_shared_view()
    {
        var writer = StartWriter(new LocalView());

        writer.Tell(GetReaders.Instance);

        await ExpectMsgAsync(new Readers(ActorRefs.Nobody, null));
    }

    [Fact]
    public async Task Recovery_should_continue_after_the_journals_highest_revision_and_publish_it_as_the_position()
    {
        await JournalAsync(3);
        var positions = CreateTestProbe();

        var writer = StartWriter(new LocalView(), new PositionRecordingBus(Sys, positions.Ref));

        await positions.ExpectMsgAsync(new Position(3), Patience);
        writer.Tell(GetCurrentRevision.Instance);
        await ExpectMsgAsync(new CurrentRevision(3));
        writer.Tell(Batch(("d", "4")) with { CorrelationId = 9 });
        await ExpectMsgAsync(new BatchCommitted(4, 9, 1));
    }

    [Fact]
    public async Task The_position_should_be_published_again_every_interval()
    {
        var positions = CreateTestProbe();
        var writer = StartWriter(new LocalView(), new PositionRecordingBus(Sys, positions.Ref), TimeSpan.FromMilliseconds(100));
        await positions.ExpectMsgAsync(new Position(0), Patience);

        await WriteAsync(writer, ("a", "1"));

        await positions.FishForMessageAsync<Position>(p => p.Revision == 1, Patience);
        await positions.FishForMessageAsync<Position>(p => p.Revision == 1, Patience);
    }

    [Fact]
    public async Task The_writer_should_never_trim_the_journal_whatever_the_retention_since_every_view_follows_it()
    {
        var writer = StartWriter(new LocalView(), settings: Settings with { RetainRevisions = 1, SnapshotEvery = 2 });

        for (var i = 1; i <= 6; i++)
        {
            await WriteAsync(writer, ($"k/{i}", $"{i}"));
        }

        writer.Tell(GetCurrentRevision.Instance);
        await ExpectMsgAsync(new CurrentRevision(6));
        var journaled = await Journal.Replay(Sys, Settings.PersistenceId);
        Assert.Equal(6, journaled.OfType<KeysChanged>().Count());
    }

    [Fact]
    public async Task A_remove_the_local_view_cannot_vouch_for_should_be_journaled_with_an_unknown_change_count()
    {
        // No view lent (the writer's node has not opened it): the writer keeps every remove, and cannot say what changed.
        var writer = StartWriter(new LocalView());
        var listener = CreateTestProbe();
        new LocalChangeBus(Sys).Subscribe(listener.Ref);

        writer.Tell(Batch(("missing", null)) with { CorrelationId = 5 });

        await ExpectMsgAsync(new BatchCommitted(1, 5, null));
        var published = await listener.ExpectMsgAsync<ChangesCommitted>(Patience);
        Assert.Equal("missing", Encoding.UTF8.GetString(Assert.Single(published.Operations).Key));
    }

    [Fact]
    public async Task A_remove_the_local_view_is_behind_on_should_be_journaled_with_an_unknown_change_count()
    {
        // The view has applied revision 0, the writer committed revision 1: the view cannot vouch for the key.
        using var store = new InMemoryKeyValueStore();
        var localView = new LocalView();
        localView.Lend(new SharedView(store));
        var writer = StartWriter(localView);
        await WriteAsync(writer, ("a", "1"));

        writer.Tell(Batch(("missing", null)) with { CorrelationId = 6 });

        await ExpectMsgAsync(new BatchCommitted(2, 6, null));
    }

    [Fact]
    public async Task A_remove_the_up_to_date_local_view_lacks_should_take_no_revision_and_one_it_holds_should_count()
    {
        using var store = new InMemoryKeyValueStore();
        store.Write(new KeyValueBatch([new BatchOperation(Utf8("held"), Utf8("x"))]).WithRevision(1));
        var localView = new LocalView();
        localView.Lend(new SharedView(store));
        var writer = StartWriter(localView);

        writer.Tell(Batch(("missing", null)) with { CorrelationId = 1 });
        writer.Tell(Batch(("held", null), ("missing", null)) with { CorrelationId = 2 });

        await ExpectMsgAsync(new BatchCommitted(0, 1, 0));
        await ExpectMsgAsync(new BatchCommitted(1, 2, 1));
    }

    [Fact]
    public async Task HandOver_should_answer_the_batches_in_flight_refuse_later_ones_as_retryable_and_stop()
    {
        var writer = StartWriter(new LocalView());
        Watch(writer);
        await WriteAsync(writer, ("warm", "up"));

        writer.Tell(Batch(("a", "1")) with { CorrelationId = 1 });
        writer.Tell(Batch(("b", "2")) with { CorrelationId = 2 });
        writer.Tell(HandOver.Instance);
        writer.Tell(Batch(("c", "3")) with { CorrelationId = 3 });

        // The refusal is sent at once; the commits when the journal answers: assert on the set, not the order.
        var replies = await ReceiveNAsync(3, Patience).ToListAsync();
        Assert.Contains(new BatchCommitted(2, 1, 1), replies);
        Assert.Contains(new BatchCommitted(3, 2, 1), replies);
        Assert.Contains(new StorageFailed(StorageFailure.Unavailable, Retryable: true, 3), replies);
        await ExpectTerminatedAsync(writer, Patience);
    }

    private static WriteBatch Batch(params (string Key, string? Value)[] operations) =>
        new(operations.Select(o => new BatchOperation(Utf8(o.Key), o.Value is null ? null : Utf8(o.Value))).ToArray());

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private IActorRef StartWriter(LocalView localView, IChangeBus? bus = null, TimeSpan? positionInterval = null, StorageSettings? settings = null) =>
        Sys.ActorOf(StorageWriterActor.Props(
            settings ?? Settings,
            bus ?? new LocalChangeBus(Sys),
            positionInterval ?? TimeSpan.FromMinutes(1),
            localView));

    /// <summary>Journals <paramref name="count"/> batches through a storage actor with a view, then stops it.</summary>
    private async Task JournalAsync(int count)
    {
        var storage = Sys.ActorOf(StorageActor.Props(Settings, () => new InMemoryKeyValueStore(), new LocalChangeBus(Sys)));
        for (var i = 1; i <= count; i++)
        {
            await WriteAsync(storage, ($"k/{i}", $"{i}"));
        }

        await StopAsync(storage);
    }

    private async Task StopAsync(IActorRef actor)
    {
        var watcher = CreateTestProbe();
        watcher.Watch(actor);
        Sys.Stop(actor);
        await watcher.ExpectTerminatedAsync(actor, Patience);
    }

    private async Task<long> WriteAsync(IActorRef storage, params (string Key, string? Value)[] operations)
    {
        var probe = CreateTestProbe();
        storage.Tell(Batch(operations), probe.Ref);
        return (await probe.ExpectMsgAsync<BatchCommitted>(Patience)).Revision;
    }

    private sealed record Position(long Revision);

    /// <summary>The in-process bus, which ignores positions, with each position also told to a probe.</summary>
    private sealed class PositionRecordingBus(ActorSystem system, IActorRef positions) : IChangeBus
    {
        private readonly LocalChangeBus _bus = new(system);

        public void Publish(ChangesCommitted changes) => _bus.Publish(changes);

        public void PublishPosition(long revision) => positions.Tell(new Position(revision));

        public void Subscribe(IActorRef subscriber) => _bus.Subscribe(subscriber);

        public void Unsubscribe(IActorRef subscriber) => _bus.Unsubscribe(subscriber);
    }
}
