using Akka.Actor;
using Akka.Persistence;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Actors.Tests.Support;
using MwgActors.Storage;
using MwgActors.Storage.RocksDb;
using static MwgActors.Actors.Storage.StorageProtocol;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Storage;

/// <summary>
/// The storage actor as the server runs it: RocksDB view, journal and snapshot store sharing one temp folder.
/// A restart is a first actor system on the folder, terminated, then this spec's system on the same folder.
/// </summary>
public sealed class RocksDbStorageActorSpec : StorageActorSpecBase
{
    private readonly TempFolder _folder;

    public RocksDbStorageActorSpec()
        : this(new TempFolder())
    {
    }

    private RocksDbStorageActorSpec(TempFolder folder)
        : base(MwgTestConfig.RocksDb(folder.Path))
    {
        _folder = folder;
    }

    [Fact]
    public async Task A_restart_should_recover_the_data_and_continue_the_revisions()
    {
        await RunFirstSystemAsync(async (system, storage) =>
        {
            await WriteAsync(storage, ("a", "1"), ("b", "2"));
            await WriteAsync(storage, ("c", "3"));
            await WriteAsync(storage, ("a", null));
        });

        var restarted = StartStorage();

        AssertValues([null, "2", "3"], await ReadAsync(restarted, "a", "b", "c"));
        restarted.Tell(GetCurrentRevision.Instance);
        await ExpectMsgAsync(new CurrentRevision(3));
        Assert.Equal(4, await WriteAsync(restarted, ("d", "4")));
    }

    [Fact]
    public async Task A_restart_should_replay_exactly_the_revisions_the_view_had_not_applied()
    {
        // The first run journals five batches but its view stops after revision 3, as if the process died between
        // the journal write and the view write of revision 4.
        await RunFirstSystemAsync(
            async (system, storage) =>
            {
                for (var i = 1; i <= 5; i++)
                {
                    await WriteAsync(storage, ($"k/{i}", $"{i}"));
                }
            },
            () => new ObservedStore(OpenStore(), applyUpTo: 3),
            Settings with { SnapshotEvery = 2 }); // a snapshot at revision 4 is newer than the view

        using (var lagging = OpenStore())
        {
            Assert.Equal(3, lagging.AppliedRevision);
            Assert.Null(lagging.Get([Utf8("k/4")])[0]);
        }

        ObservedStore? view = null;
        var restarted = StartStorage(openStore: () => view = new ObservedStore(OpenStore()));

        AssertValues(["1", "2", "3", "4", "5"], await ReadAsync(restarted, "k/1", "k/2", "k/3", "k/4", "k/5"));
        Assert.Equal([4L, 5L], view!.AppliedRevisions);
        Assert.Equal(6, await WriteAsync(restarted, ("k/6", "6")));
    }

    [Fact]
    public async Task Retention_should_trim_the_oldest_events_while_the_data_stays_complete()
    {
        var (storage, bus) = await RunWithRetentionAsync(Sys);

        await AwaitAssertAsync(async () => Assert.InRange(await OldestJournaledRevisionAsync(Sys), 11, 21), Patience);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (string?)$"{i}"), await ReadAsync(storage, Keys(30)));

        // A subscriber resuming from a trimmed revision is told to reload; one resuming inside the log gets the rest.
        var subscriptions = Sys.ActorOf(SubscriptionActor.Props(SubscriptionSettings.Create(Sys.Settings.Config), bus));
        var tooOld = CreateTestProbe();
        subscriptions.Tell(new OpenSubscription(1, [[]], 2, false, tooOld.Ref));
        await tooOld.ExpectMsgAsync(new ResumeTooOld(1, 30), Patience);
        await ExpectMsgAsync(new SubscriptionOpened(1, 30));

        var recent = CreateTestProbe();
        subscriptions.Tell(new OpenSubscription(2, [[]], 27, false, recent.Ref));
        var replayed = await recent.ReceiveNAsync(3, Patience).Cast<SubscribedKeysChanged>().ToListAsync();
        Assert.Equal([28L, 29L, 30L], replayed.Select(n => n.Revision));
    }

    [Fact]
    public async Task A_restart_after_trimming_should_recover_the_data_and_continue_the_revisions()
    {
        await RunFirstSystemAsync(
            async (system, _) =>
            {
                await RunWithRetentionAsync(system);
                await AwaitAssertAsync(async () => Assert.True(await OldestJournaledRevisionAsync(system) > 10), Patience);
            },
            startStorage: false);

        var restarted = StartStorage();

        Assert.Equal(Enumerable.Range(1, 30).Select(i => (string?)$"{i}"), await ReadAsync(restarted, Keys(30)));
        restarted.Tell(GetCurrentRevision.Instance);
        await ExpectMsgAsync(new CurrentRevision(30));
        Assert.Equal(31, await WriteAsync(restarted, ("k/31", "31")));
    }

    protected override IKeyValueStore OpenStore() =>
        new RocksDbKeyValueStore(new RocksDbSettings(Settings.DataPath, SyncWrites: false, Settings.BlockCacheBytes));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }

    private static string[] Keys(int count) => Enumerable.Range(1, count).Select(i => $"k/{i}").ToArray();

    /// <summary>Thirty single-key batches, one at a time, with 10 revisions retained and a snapshot every 5.</summary>
    private async Task<(IActorRef Storage, IChangeBus Bus)> RunWithRetentionAsync(ActorSystem system)
    {
        var bus = system == Sys ? Bus : new LocalChangeBus(system);
        var storage = StartStorage(system, bus: bus, settings: Settings with { RetainRevisions = 10, SnapshotEvery = 5 });
        for (var i = 1; i <= 30; i++)
        {
            await WriteAsync(storage, ($"k/{i}", $"{i}"));
        }

        return (storage, bus);
    }

    /// <summary>Replays the change log straight from the journal: the first revision it still holds.</summary>
    private async Task<long> OldestJournaledRevisionAsync(ActorSystem system)
    {
        var probe = CreateTestProbe(system);
        Persistence.Instance.Apply(system).JournalFor(null)
            .Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, Settings.PersistenceId, probe.Ref));
        var oldest = long.MaxValue;
        while (true)
        {
            switch (await probe.ReceiveOneAsync(Patience))
            {
                case ReplayedMessage replayed:
                    oldest = Math.Min(oldest, replayed.Persistent.SequenceNr);
                    break;
                case RecoverySuccess success:
                    Assert.Equal(30, success.HighestSequenceNr);
                    return oldest;
                case var other:
                    throw new InvalidOperationException($"unexpected journal reply {other}");
            }
        }
    }

    /// <summary>Runs a first actor system on this test's folder, then terminates it so the folder is released.</summary>
    private async Task RunFirstSystemAsync(
        Func<ActorSystem, IActorRef, Task> run,
        Func<IKeyValueStore>? openStore = null,
        StorageSettings? settings = null,
        bool startStorage = true)
    {
        var first = ActorSystem.Create("first", Sys.Settings.Config);
        try
        {
            var storage = startStorage ? StartStorage(first, openStore, settings: settings) : ActorRefs.Nobody;
            await run(first, storage);
        }
        finally
        {
            await first.Terminate();
        }
    }
}
