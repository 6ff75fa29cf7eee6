using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Tests.Storage;

/// <summary>
/// What every storage actor does, whatever its view and journal: run by <see cref="RocksDbStorageActorSpec"/> (the
/// RocksDB view, journal and snapshot store in a temp folder) and <see cref="InMemoryStorageActorSpec"/>.
/// </summary>
public abstract class StorageActorSpecBase : TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected StorageActorSpecBase(Config config)
        : base(config)
    {
        Settings = StorageSettings.Create(Sys.Settings.Config);
        Bus = new LocalChangeBus(Sys);
    }

    protected StorageSettings Settings { get; }

    protected IChangeBus Bus { get; }

    [Fact]
    public async Task Writes_should_commit_with_revisions_1_2_3_and_echo_their_correlation_ids()
    {
        var storage = StartStorage();

        storage.Tell(Batch(("a", "1")) with { CorrelationId = 41 });
        storage.Tell(Batch(("b", "2")) with { CorrelationId = 42 });
        storage.Tell(Batch(("c", "3")) with { CorrelationId = 43 });

        await ExpectMsgAsync(new BatchCommitted(1, 41, 1));
        await ExpectMsgAsync(new BatchCommitted(2, 42, 1));
        await ExpectMsgAsync(new BatchCommitted(3, 43, 1));
    }

    [Fact]
    public async Task Reads_should_return_values_in_key_order_with_null_for_missing_and_empty_for_empty()
    {
        var storage = StartStorage();
        await WriteAsync(storage, ("b", "2"), ("empty", ""), ("a", "1"));

        storage.Tell(new ReadKeys([Utf8("a"), Utf8("missing"), Utf8("empty"), Utf8("b"), Utf8("a")], 7));

        var read = await ExpectMsgAsync<KeysRead>();
        Assert.Equal(7, read.CorrelationId);
        Assert.Equal(1, read.Revision);
        Assert.Equal(["1", null, "", "2", "1"], read.Values.Select(Text));
        Assert.NotNull(read.Values[2]);
    }

    [Fact]
    public async Task A_batch_should_apply_its_puts_and_removes_in_order()
    {
        var storage = StartStorage();
        await WriteAsync(storage, ("gone", "x"), ("kept", "x"));

        var revision = await WriteAsync(storage, ("gone", null), ("new", "1"), ("new", "2"), ("kept", "y"), ("late", "z"), ("late", null));

        Assert.Equal(2, revision);
        AssertValues([null, "2", "y", null], await ReadAsync(storage, "gone", "new", "kept", "late"));
    }

    [Fact]
    public async Task Concurrent_readers_should_never_see_half_a_batch()
    {
        var storage = StartStorage();
        storage.Tell(GetReaders.Instance);
        var readers = (await ExpectMsgAsync<Readers>()).Pool;
        var writer = CreateTestProbe();
        var reader = CreateTestProbe();

        // Each batch moves both keys to the same value; reads race the writes on the reader pool's own threads.
        const int Rounds = 200;
        for (var i = 1; i <= Rounds; i++)
        {
            storage.Tell(Batch(("x", $"{i}"), ("y", $"{i}")), writer.Ref);
            readers.Tell(new ReadKeys([Utf8("x"), Utf8("y")], i), reader.Ref);
        }

        await foreach (var message in reader.ReceiveNAsync(Rounds, Patience))
        {
            var read = Assert.IsType<KeysRead>(message);
            Assert.Equal(Text(read.Values[0]), Text(read.Values[1]));
        }

        await writer.ReceiveNAsync(Rounds, Patience).ToListAsync();
    }

    [Fact]
    public async Task GetReaders_should_hand_out_the_reader_pool_and_the_view_shared_with_connections()
    {
        var storage = StartStorage();
        await WriteAsync(storage, ("a", "1"));

        storage.Tell(GetReaders.Instance);
        var readers = await ExpectMsgAsync<Readers>();

        readers.Pool.Tell(new ReadKeys([Utf8("a")], 3));
        var read = await ExpectMsgAsync<KeysRead>();
        Assert.Equal((3L, 1L, "1"), (read.CorrelationId, read.Revision, Text(read.Values[0])));
        Assert.NotNull(readers.LocalView);
        Assert.True(readers.LocalView.TryGet([Utf8("a")], null, out var values, out var revision));
        Assert.Equal((1L, "1"), (revision, Text(values![0])));
    }

    [Fact]
    public async Task GetReaders_should_hand_out_no_shared_view_when_inline_reads_are_off()
    {
        var storage = StartStorage(settings: Settings with { InlineReads = false });

        storage.Tell(GetReaders.Instance);
        var readers = await ExpectMsgAsync<Readers>();

        Assert.Null(readers.LocalView);
        Assert.NotEqual(ActorRefs.Nobody, readers.Pool);
    }

    [Fact]
    public async Task A_stopped_storage_actor_should_close_the_view_it_shared()
    {
        var storage = StartStorage();
        storage.Tell(GetReaders.Instance);
        var shared = (await ExpectMsgAsync<Readers>()).LocalView!;
        Assert.True(shared.TryGet([Utf8("a")], null, out _, out _));

        Watch(storage);
        Sys.Stop(storage);
        await ExpectTerminatedAsync(storage);

        Assert.False(shared.TryGet([Utf8("a")], null, out _, out _));
    }

    [Fact]
    public async Task Writes_sent_without_waiting_should_all_commit_with_consecutive_revisions_in_per_sender_order()
    {
        var storage = StartStorage();
        const int Senders = 5;
        const int PerSender = 100;
        var probes = Enumerable.Range(0, Senders).Select(_ => CreateTestProbe()).ToArray();

        for (var i = 0; i < PerSender; i++)
        {
            for (var p = 0; p < Senders; p++)
            {
                storage.Tell(Batch(($"p{p}/{i}", $"{i}")) with { CorrelationId = i }, probes[p].Ref);
            }
        }

        var revisions = new List<long>();
        foreach (var probe in probes)
        {
            var replies = await probe.ReceiveNAsync(PerSender, Patience).Cast<BatchCommitted>().ToListAsync();
            Assert.Equal(Enumerable.Range(0, PerSender).Select(i => (long)i), replies.Select(r => r.CorrelationId));
            Assert.True(replies.Zip(replies.Skip(1)).All(pair => pair.First.Revision < pair.Second.Revision), "revisions follow the sender's order");
            revisions.AddRange(replies.Select(r => r.Revision));
        }

        Assert.Equal(Enumerable.Range(1, Senders * PerSender).Select(i => (long)i), revisions.Order());
        var keys = Enumerable.Range(0, Senders).SelectMany(p => Enumerable.Range(0, PerSender).Select(i => $"p{p}/{i}")).ToArray();
        var values = await ReadAsync(storage, keys);
        Assert.Equal(keys.Select(k => k[(k.IndexOf('/', StringComparison.Ordinal) + 1)..]), values);
    }

    [Fact]
    public async Task Committed_batches_should_be_published_on_the_bus_in_revision_order()
    {
        var storage = StartStorage();
        var listener = CreateTestProbe();
        Bus.Subscribe(listener.Ref);

        for (var i = 1; i <= 20; i++)
        {
            storage.Tell(Batch(($"k/{i}", $"{i}"), ($"k/{i - 1}", null)));
        }

        var published = await listener.ReceiveNAsync(20, Patience).Cast<ChangesCommitted>().ToListAsync();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), published.Select(c => c.Revision));
        foreach (var changes in published)
        {
            // k/0 never existed: its remove is not part of the first batch's changes.
            (string, string?)[] expected = changes.Revision == 1
                ? [("k/1", "1")]
                : [($"k/{changes.Revision}", $"{changes.Revision}"), ($"k/{changes.Revision - 1}", null)];
            Assert.Equal(
                expected,
                changes.Operations.Select(o => (Encoding.UTF8.GetString(o.Key), Text(o.Value))));
        }
    }

    [Fact]
    public async Task GetCurrentRevision_should_answer_the_latest_committed_revision()
    {
        var storage = StartStorage();
        storage.Tell(GetCurrentRevision.Instance);
        await ExpectMsgAsync(new CurrentRevision(0));

        await WriteAsync(storage, ("a", "1"));
        await WriteAsync(storage, ("a", null));

        storage.Tell(GetCurrentRevision.Instance);
        await ExpectMsgAsync(new CurrentRevision(2));
    }

    [Fact]
    public async Task An_empty_batch_should_answer_the_current_revision_without_taking_a_new_one()
    {
        var storage = StartStorage();
        storage.Tell(Batch(("a", "1")) with { CorrelationId = 1 });
        storage.Tell(new WriteBatch([], 2));
        storage.Tell(Batch(("b", "1")) with { CorrelationId = 3 });

        await ExpectMsgAsync(new BatchCommitted(1, 1, 1));
        await ExpectMsgAsync(new BatchCommitted(1, 2, 0));
        await ExpectMsgAsync(new BatchCommitted(2, 3, 1));
    }

    [Fact]
    public async Task A_remove_of_absent_keys_should_take_no_revision_and_notify_no_one()
    {
        var storage = StartStorage();
        await WriteAsync(storage, ("a", "1"));
        var listener = CreateTestProbe();
        Bus.Subscribe(listener.Ref);

        storage.Tell(Batch(("missing", null), ("also-missing", null), ("missing", null)) with { CorrelationId = 5 });
        storage.Tell(Batch(("b", "2")) with { CorrelationId = 6 });

        // The remove is answered at the current revision; the next write takes revision 2, and is the first (so the
        // remove published nothing before it) of what the bus sees.
        await ExpectMsgAsync(new BatchCommitted(1, 5, 0));
        await ExpectMsgAsync(new BatchCommitted(2, 6, 1));
        var published = await listener.ExpectMsgAsync<ChangesCommitted>(Patience);
        Assert.Equal(2, published.Revision);
        Assert.Equal("b", Encoding.UTF8.GetString(Assert.Single(published.Operations).Key));
    }

    [Fact]
    public async Task A_batch_that_changes_some_keys_should_journal_and_publish_only_those()
    {
        var storage = StartStorage();
        await WriteAsync(storage, ("a", "1"), ("b", "1"));
        var listener = CreateTestProbe();
        Bus.Subscribe(listener.Ref);

        storage.Tell(Batch(("a", null), ("missing", null), ("c", "3"), ("a", null), ("c", null), ("c", null)) with { CorrelationId = 9 });

        await ExpectMsgAsync(new BatchCommitted(2, 9, 3));
        var published = await listener.ExpectMsgAsync<ChangesCommitted>(Patience);
        (string, string?)[] changes = [("a", null), ("c", "3"), ("c", null)];
        Assert.Equal(
            changes,
            published.Operations.Select(o => (Encoding.UTF8.GetString(o.Key), Text(o.Value))));
        AssertValues([null, "1", null], await ReadAsync(storage, "a", "b", "c"));
    }

    [Fact]
    public async Task A_remove_sent_right_after_the_put_of_its_key_should_be_kept()
    {
        // The put is still on its way to the journal when the remove arrives: the view does not show it yet.
        var storage = StartStorage();

        for (var i = 0; i < 20; i++)
        {
            storage.Tell(Batch(($"k/{i}", "v")) with { CorrelationId = (2 * i) + 1 });
            storage.Tell(Batch(($"k/{i}", null)) with { CorrelationId = (2 * i) + 2 });
        }

        var committed = await ReceiveNAsync(40, Patience).Cast<BatchCommitted>().ToListAsync();
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), committed.Select(c => c.Revision));
        Assert.All(committed, c => Assert.Equal(1, c.Changed));
        Assert.All(await ReadAsync(storage, [.. Enumerable.Range(0, 20).Select(i => $"k/{i}")]), v => Assert.Null(v));
    }

    [Fact]
    public async Task ScanPrefix_should_return_the_pairs_under_the_prefix_in_key_order_and_flag_truncation()
    {
        var storage = StartStorage();
        await WriteAsync(storage, ("k/2", "2"), ("j/1", "x"), ("k/1", "1"), ("k/3", "3"), ("l/1", "x"));

        storage.Tell(new ScanPrefix(Utf8("k/"), 10));
        var all = await ExpectMsgAsync<PrefixScanned>();
        Assert.False(all.Truncated);
        Assert.Equal([("k/1", "1"), ("k/2", "2"), ("k/3", "3")], all.Pairs.Select(p => (Encoding.UTF8.GetString(p.Key), Encoding.UTF8.GetString(p.Value))));

        storage.Tell(new ScanPrefix(Utf8("k/"), 2));
        var cut = await ExpectMsgAsync<PrefixScanned>();
        Assert.True(cut.Truncated);
        Assert.Equal(["k/1", "k/2"], cut.Pairs.Select(p => Encoding.UTF8.GetString(p.Key)));
    }

    /// <summary>Opens the view the storage actor owns (it disposes it when it stops).</summary>
    protected abstract IKeyValueStore OpenStore();

    protected IActorRef StartStorage(
        ActorSystem? system = null,
        Func<IKeyValueStore>? openStore = null,
        IChangeBus? bus = null,
        StorageSettings? settings = null)
    {
        system ??= Sys;
        return system.ActorOf(StorageActor.Props(
            settings ?? Settings,
            openStore ?? OpenStore,
            bus ?? (system == Sys ? Bus : new LocalChangeBus(system))));
    }

    protected async Task<long> WriteAsync(IActorRef storage, params (string Key, string? Value)[] operations)
    {
        var probe = CreateTestProbe();
        storage.Tell(Batch(operations), probe.Ref);
        return (await probe.ExpectMsgAsync<BatchCommitted>(Patience)).Revision;
    }

    protected async Task<string?[]> ReadAsync(IActorRef storage, params string[] keys)
    {
        var probe = CreateTestProbe();
        storage.Tell(new ReadKeys(keys.Select(Utf8).ToArray()), probe.Ref);
        return (await probe.ExpectMsgAsync<KeysRead>(Patience)).Values.Select(Text).ToArray();
    }

    protected static void AssertValues(string?[] expected, IEnumerable<string?> actual) =>
        Assert.Equal(expected.AsEnumerable(), actual);

    protected static WriteBatch Batch(params (string Key, string? Value)[] operations) =>
        new(operations.Select(o => new BatchOperation(Utf8(o.Key), o.Value is null ? null : Utf8(o.Value))).ToArray());

    protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    protected static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
