using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>
/// The snapshot-store contract (the cases of Akka's SnapshotStoreSpec), driven through the store's actor
/// protocol: SaveSnapshot, LoadSnapshot, DeleteSnapshot and DeleteSnapshots. Five snapshots s-1..s-5 are
/// saved at sequence numbers 11..15, one minute apart.
/// </summary>
public sealed class RocksDbSnapshotStoreSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Pid = "p-1";
    private static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempFolder _folder;

    public RocksDbSnapshotStoreSpec()
        : this(new TempFolder())
    {
    }

    private RocksDbSnapshotStoreSpec(TempFolder folder)
        : base(PersistenceTestConfig.For(folder.Path), "snapshot-store-spec") => _folder = folder;

    private IActorRef Store => Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);

    [Fact]
    public async Task Load_should_return_the_latest_snapshot()
    {
        var saved = await SaveFiveAsync(Pid);

        var loaded = await LoadAsync(Pid, SnapshotSelectionCriteria.Latest);

        AssertSnapshot(loaded, saved[4], "s-5");
    }

    [Fact]
    public async Task Load_should_return_the_latest_snapshot_at_or_below_a_maximum_sequence_number()
    {
        var saved = await SaveFiveAsync(Pid);

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(13)), saved[2], "s-3");
        AssertSnapshot(await LoadAsync(Pid, SnapshotSelectionCriteria.Latest, toSequenceNr: 13), saved[2], "s-3");
    }

    [Fact]
    public async Task Load_should_return_the_latest_snapshot_at_or_before_a_maximum_timestamp()
    {
        var saved = await SaveFiveAsync(Pid);

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(long.MaxValue, saved[2].Timestamp)), saved[2], "s-3");
        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(long.MaxValue, saved[3].Timestamp.AddTicks(-1))), saved[2], "s-3");
        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(long.MaxValue, saved[4].Timestamp), toSequenceNr: 12), saved[1], "s-2");
    }

    [Fact]
    public async Task Load_should_honour_minimum_sequence_number_and_timestamp()
    {
        var saved = await SaveFiveAsync(Pid);

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(13, DateTime.MaxValue, 12, null)), saved[2], "s-3");
        Assert.Null(await LoadAsync(Pid, new SnapshotSelectionCriteria(13, DateTime.MaxValue, 14, null)));
        Assert.Null(await LoadAsync(Pid, new SnapshotSelectionCriteria(13, DateTime.MaxValue, 0, saved[3].Timestamp)));
    }

    [Theory]
    [InlineData("unknown-pid", long.MaxValue, long.MaxValue)] // no snapshot for the id
    [InlineData(Pid, 10, long.MaxValue)] // every snapshot above the maximum sequence number
    [InlineData(Pid, long.MaxValue, 10)] // every snapshot above toSequenceNr
    public async Task Load_should_return_no_snapshot_when_none_matches_the_sequence_numbers(string pid, long maxSequenceNr, long toSequenceNr)
    {
        await SaveFiveAsync(Pid);

        Assert.Null(await LoadAsync(pid, new SnapshotSelectionCriteria(maxSequenceNr), toSequenceNr));
    }

    [Fact]
    public async Task Load_should_return_no_snapshot_when_none_matches_the_timestamp_or_criteria_is_none()
    {
        await SaveFiveAsync(Pid);

        Assert.Null(await LoadAsync(Pid, new SnapshotSelectionCriteria(long.MaxValue, Epoch.AddSeconds(-1))));
        Assert.Null(await LoadAsync(Pid, SnapshotSelectionCriteria.None));
    }

    [Fact]
    public async Task Save_should_overwrite_the_snapshot_at_the_same_sequence_number()
    {
        var saved = await SaveFiveAsync(Pid);

        var overwritten = await SaveAsync(new SnapshotMetadata(Pid, saved[4].SequenceNr, Epoch.AddHours(1)), "s-5-modified");
        var loaded = await LoadAsync(Pid, SnapshotSelectionCriteria.Latest);

        AssertSnapshot(loaded, overwritten, "s-5-modified");
    }

    [Fact]
    public async Task Save_should_fill_in_the_timestamp_when_the_metadata_has_none()
    {
        var saved = await SaveAsync(new SnapshotMetadata(Pid, 1, DateTime.MinValue), "s-0");

        Assert.NotEqual(DateTime.MinValue, saved.Timestamp);
        AssertSnapshot(await LoadAsync(Pid, SnapshotSelectionCriteria.Latest), saved, "s-0");
    }

    [Fact]
    public async Task A_snapshot_with_a_string_manifest_and_a_large_one_should_round_trip()
    {
        var state = new CounterState(1234);
        var large = new byte[1 << 20];
        new Random(7).NextBytes(large);

        var first = await SaveAsync(new SnapshotMetadata(Pid, 1, Epoch), state);
        await SaveAsync(new SnapshotMetadata(Pid, 2, Epoch.AddMinutes(1)), large);

        var loadedState = await LoadAsync(Pid, new SnapshotSelectionCriteria(1));
        var loadedLarge = await LoadAsync(Pid, SnapshotSelectionCriteria.Latest);
        Assert.NotNull(loadedState);
        Assert.Equal(state, loadedState.Snapshot);
        Assert.Equal(first, loadedState.Metadata);
        Assert.NotNull(loadedLarge);
        Assert.Equal(large, Assert.IsType<byte[]>(loadedLarge.Snapshot));
    }

    [Fact]
    public async Task Save_of_a_non_serializable_snapshot_should_fail_and_keep_the_previous_one()
    {
        var saved = await SaveFiveAsync(Pid);
        var probe = CreateTestProbe();

        Store.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 16, Epoch.AddHours(1)), new Unserializable("spec")), probe.Ref);

        Assert.Equal(16, (await probe.ExpectMsgAsync<SaveSnapshotFailure>()).Metadata.SequenceNr);
        AssertSnapshot(await LoadAsync(Pid, SnapshotSelectionCriteria.Latest), saved[4], "s-5");
    }

    [Fact]
    public async Task DeleteSnapshot_should_delete_the_snapshot_identified_by_its_metadata()
    {
        var saved = await SaveFiveAsync(Pid);

        await DeleteAsync(new SnapshotMetadata(Pid, saved[2].SequenceNr, saved[2].Timestamp));

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(13)), saved[1], "s-2");
        AssertSnapshot(await LoadAsync(Pid, SnapshotSelectionCriteria.Latest), saved[4], "s-5");
    }

    [Fact]
    public async Task DeleteSnapshot_without_a_timestamp_should_delete_by_sequence_number()
    {
        var saved = await SaveFiveAsync(Pid);

        await DeleteAsync(new SnapshotMetadata(Pid, saved[2].SequenceNr, DateTime.MinValue));

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(13)), saved[1], "s-2");
    }

    [Fact]
    public async Task DeleteSnapshot_should_keep_a_snapshot_newer_than_the_metadata_timestamp()
    {
        var saved = await SaveFiveAsync(Pid);

        await DeleteAsync(new SnapshotMetadata(Pid, saved[2].SequenceNr, saved[2].Timestamp.AddSeconds(-2)));

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(13)), saved[2], "s-3");
    }

    [Fact]
    public async Task DeleteSnapshots_should_delete_every_snapshot_matching_the_criteria()
    {
        var saved = await SaveFiveAsync(Pid);

        await DeleteAsync(Pid, new SnapshotSelectionCriteria(saved[2].SequenceNr, saved[2].Timestamp));

        Assert.Null(await LoadAsync(Pid, new SnapshotSelectionCriteria(saved[2].SequenceNr)));
        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(saved[3].SequenceNr)), saved[3], "s-4");
    }

    [Fact]
    public async Task DeleteSnapshots_should_keep_snapshots_outside_the_sequence_and_timestamp_bounds()
    {
        var saved = await SaveFiveAsync(Pid);

        // 12..14 by sequence number, but 14 is one tick too new.
        await DeleteAsync(Pid, new SnapshotSelectionCriteria(14, saved[3].Timestamp.AddTicks(-1), 12, null));

        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(11)), saved[0], "s-1");
        Assert.Null(await LoadAsync(Pid, new SnapshotSelectionCriteria(13, DateTime.MaxValue, 12, null)));
        AssertSnapshot(await LoadAsync(Pid, new SnapshotSelectionCriteria(14)), saved[3], "s-4");
        AssertSnapshot(await LoadAsync(Pid, SnapshotSelectionCriteria.Latest), saved[4], "s-5");
    }

    [Fact]
    public async Task Snapshots_of_persistence_ids_that_share_a_prefix_should_be_isolated()
    {
        await SaveFiveAsync("p-1");
        var other = await SaveAsync(new SnapshotMetadata("p-10", 3, Epoch), "other");

        await DeleteAsync("p-1", SnapshotSelectionCriteria.Latest);

        Assert.Null(await LoadAsync("p-1", SnapshotSelectionCriteria.Latest));
        AssertSnapshot(await LoadAsync("p-10", SnapshotSelectionCriteria.Latest), other, "other");
    }

    [Fact]
    public async Task Snapshots_should_survive_a_restart_of_the_actor_system_on_the_same_folder()
    {
        using var folder = new TempFolder();
        SnapshotMetadata kept;
        var first = PersistenceTestConfig.StartSystem("snapshots-first", folder.Path);
        try
        {
            var store = Akka.Persistence.Persistence.Instance.Apply(first).SnapshotStoreFor(null);
            var probe = CreateTestProbe(first);
            store.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 4, Epoch), new CounterState(4)), probe.Ref);
            await probe.ExpectMsgAsync<SaveSnapshotSuccess>();
            store.Tell(new SaveSnapshot(new SnapshotMetadata(Pid, 8, Epoch.AddMinutes(1)), new CounterState(8)), probe.Ref);
            kept = (await probe.ExpectMsgAsync<SaveSnapshotSuccess>()).Metadata;
            store.Tell(new DeleteSnapshot(new SnapshotMetadata(Pid, 4, DateTime.MinValue)), probe.Ref);
            await probe.ExpectMsgAsync<DeleteSnapshotSuccess>();
        }
        finally
        {
            await first.Terminate();
        }

        Assert.False(RocksDbDatabase.IsOpen(Path.GetFullPath(folder.Path)));

        var second = PersistenceTestConfig.StartSystem("snapshots-second", folder.Path);
        try
        {
            var store = Akka.Persistence.Persistence.Instance.Apply(second).SnapshotStoreFor(null);
            var probe = CreateTestProbe(second);
            var latest = await LoadAsync(store, probe, Pid, SnapshotSelectionCriteria.Latest, long.MaxValue);
            var older = await LoadAsync(store, probe, Pid, new SnapshotSelectionCriteria(7), long.MaxValue);

            Assert.NotNull(latest);
            Assert.Equal(kept, latest.Metadata);
            Assert.Equal(new CounterState(8), latest.Snapshot);
            Assert.Null(older);
        }
        finally
        {
            await second.Terminate();
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }

    private static void AssertSnapshot(SelectedSnapshot? loaded, SnapshotMetadata expected, string state)
    {
        Assert.NotNull(loaded);
        Assert.Equal(expected, loaded.Metadata);
        Assert.Equal(expected.Timestamp, loaded.Metadata.Timestamp);
        Assert.Equal(state, loaded.Snapshot);
    }

    private async Task<SnapshotMetadata[]> SaveFiveAsync(string pid)
    {
        var saved = new SnapshotMetadata[5];
        for (var i = 1; i <= 5; i++)
        {
            saved[i - 1] = await SaveAsync(new SnapshotMetadata(pid, 10 + i, Epoch.AddMinutes(i)), $"s-{i}");
        }

        return saved;
    }

    private async Task<SnapshotMetadata> SaveAsync(SnapshotMetadata metadata, object state)
    {
        var probe = CreateTestProbe();
        Store.Tell(new SaveSnapshot(metadata, state), probe.Ref);
        return (await probe.ExpectMsgAsync<SaveSnapshotSuccess>()).Metadata;
    }

    private Task<SelectedSnapshot?> LoadAsync(string pid, SnapshotSelectionCriteria criteria, long toSequenceNr = long.MaxValue) =>
        LoadAsync(Store, CreateTestProbe(), pid, criteria, toSequenceNr);

    private static async Task<SelectedSnapshot?> LoadAsync(IActorRef store, TestProbe probe, string pid, SnapshotSelectionCriteria criteria, long toSequenceNr)
    {
        store.Tell(new LoadSnapshot(pid, criteria, toSequenceNr), probe.Ref);
        var result = await probe.ExpectMsgAsync<LoadSnapshotResult>();
        Assert.Equal(toSequenceNr, result.ToSequenceNr);
        return result.Snapshot;
    }

    private async Task DeleteAsync(SnapshotMetadata metadata)
    {
        var probe = CreateTestProbe();
        Store.Tell(new DeleteSnapshot(metadata), probe.Ref);
        await probe.ExpectMsgAsync<DeleteSnapshotSuccess>();
    }

    private async Task DeleteAsync(string pid, SnapshotSelectionCriteria criteria)
    {
        var probe = CreateTestProbe();
        Store.Tell(new DeleteSnapshots(pid, criteria), probe.Ref);
        Assert.Equal(criteria, (await probe.ExpectMsgAsync<DeleteSnapshotsSuccess>()).Criteria);
    }
}
