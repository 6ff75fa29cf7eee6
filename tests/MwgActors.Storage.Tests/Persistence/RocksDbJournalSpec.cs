using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.TestKit;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>
/// The journal contract (the cases of Akka's JournalSpec), driven through the journal's actor protocol:
/// WriteMessages, ReplayMessages (which also reports the highest sequence number) and DeleteMessagesTo.
/// </summary>
public sealed class RocksDbJournalSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Pid = "p-1";
    private const string WriterGuid = "writer-1";
    private const int ActorInstanceId = 1;

    private readonly TempFolder _folder;

    public RocksDbJournalSpec()
        : this(new TempFolder())
    {
    }

    private RocksDbJournalSpec(TempFolder folder)
        : base(PersistenceTestConfig.For(folder.Path), "journal-spec") => _folder = folder;

    private IActorRef Journal => Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);

    [Theory]
    [InlineData(1, long.MaxValue, long.MaxValue, 1, 5)] // everything
    [InlineData(0, long.MaxValue, long.MaxValue, 1, 5)] // from 0, as a fresh persistent actor asks
    [InlineData(3, long.MaxValue, long.MaxValue, 3, 5)] // lower bound
    [InlineData(1, 3, long.MaxValue, 1, 3)] // upper bound
    [InlineData(1, long.MaxValue, 3, 1, 3)] // count limit
    [InlineData(2, 3, long.MaxValue, 2, 3)] // lower and upper bound
    [InlineData(2, 5, 2, 2, 3)] // lower and upper bound and count limit
    [InlineData(2, 2, long.MaxValue, 2, 2)] // lower bound equals upper bound
    [InlineData(2, 4, 1, 2, 2)] // count limit of one
    public async Task Replay_should_return_the_events_inside_the_bounds_up_to_max(long from, long to, long max, long first, long last)
    {
        await WriteFiveEventsAsync(Pid);

        var (events, highest) = await ReplayAsync(Pid, from, to, max);

        Assert.Equal(Range(first, last), events.Select(e => e.SequenceNr));
        Assert.All(events, e => Assert.Equal($"a-{e.SequenceNr}", e.Payload));
        Assert.All(events, e => Assert.Equal(Pid, e.PersistenceId));
        Assert.Equal(5, highest);
    }

    [Theory]
    [InlineData(2, 4, 0)] // max of zero
    [InlineData(3, 2, long.MaxValue)] // lower bound above upper bound
    [InlineData(6, long.MaxValue, long.MaxValue)] // lower bound above the highest sequence number
    public async Task Replay_should_return_no_event_but_the_highest_sequence_number_when_nothing_is_in_range(long from, long to, long max)
    {
        await WriteFiveEventsAsync(Pid);

        var (events, highest) = await ReplayAsync(Pid, from, to, max);

        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public async Task Replay_of_a_persistence_id_without_events_should_report_highest_sequence_number_zero()
    {
        await WriteFiveEventsAsync(Pid);

        var (events, highest) = await ReplayAsync("never-written", 0, long.MaxValue, long.MaxValue);

        Assert.Empty(events);
        Assert.Equal(0, highest);
    }

    [Fact]
    public async Task DeleteMessagesTo_should_remove_the_events_up_to_the_bound_and_keep_the_rest()
    {
        await WriteFiveEventsAsync(Pid);

        await DeleteToAsync(Pid, 3);
        var (events, highest) = await ReplayAsync(Pid, 0, long.MaxValue, long.MaxValue);

        Assert.Equal(Range(4, 5), events.Select(e => e.SequenceNr));
        Assert.Equal(5, highest);
    }

    [Fact]
    public async Task DeleteMessagesTo_everything_should_keep_the_highest_sequence_number()
    {
        await WriteFiveEventsAsync(Pid);

        await DeleteToAsync(Pid, long.MaxValue);
        var (events, highest) = await ReplayAsync(Pid, 0, long.MaxValue, long.MaxValue);

        Assert.Empty(events);
        Assert.Equal(5, highest);
    }

    [Fact]
    public async Task Writing_after_deleting_everything_should_continue_after_the_highest_sequence_number()
    {
        await WriteFiveEventsAsync(Pid);
        await DeleteToAsync(Pid, long.MaxValue);

        await WriteAsync(new AtomicWrite(Event(Pid, 6)));
        var (events, highest) = await ReplayAsync(Pid, 0, long.MaxValue, long.MaxValue);

        Assert.Equal([6L], events.Select(e => e.SequenceNr));
        Assert.Equal(6, highest);
    }

    [Fact]
    public async Task An_atomic_write_of_several_events_should_store_them_all()
    {
        await WriteFiveEventsAsync(Pid);

        await WriteAsync(new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(Pid, 6), Event(Pid, 7), Event(Pid, 8))));
        var (events, highest) = await ReplayAsync(Pid, 6, long.MaxValue, long.MaxValue);

        Assert.Equal(Range(6, 8), events.Select(e => e.SequenceNr));
        Assert.Equal(8, highest);
    }

    [Fact]
    public async Task A_non_serializable_payload_should_be_rejected_in_its_slot_while_the_other_writes_succeed()
    {
        await WriteFiveEventsAsync(Pid);
        var probe = CreateTestProbe();

        Journal.Tell(new WriteMessages(
            [new AtomicWrite(Event(Pid, 6)), new AtomicWrite(Event(Pid, 7, new Unserializable("spec"))), new AtomicWrite(Event(Pid, 8))],
            probe.Ref,
            ActorInstanceId));

        await probe.ExpectMsgAsync<WriteMessagesSuccessful>();
        Assert.Equal(6, (await probe.ExpectMsgAsync<WriteMessageSuccess>()).Persistent.SequenceNr);
        var rejected = await probe.ExpectMsgAsync<WriteMessageRejected>();
        Assert.Equal(7, rejected.Persistent.SequenceNr);
        Assert.IsType<Unserializable>(rejected.Persistent.Payload);
        Assert.NotNull(rejected.Cause);
        Assert.Equal(8, (await probe.ExpectMsgAsync<WriteMessageSuccess>()).Persistent.SequenceNr);

        var (events, highest) = await ReplayAsync(Pid, 6, long.MaxValue, long.MaxValue);
        Assert.Equal([6L, 8L], events.Select(e => e.SequenceNr));
        Assert.Equal(8, highest);
    }

    [Fact]
    public async Task An_atomic_write_with_one_non_serializable_event_should_be_rejected_whole()
    {
        await WriteFiveEventsAsync(Pid);
        var probe = CreateTestProbe();

        Journal.Tell(new WriteMessages(
            [new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(Pid, 6), Event(Pid, 7, new Unserializable("spec"))))],
            probe.Ref,
            ActorInstanceId));

        await probe.ExpectMsgAsync<WriteMessagesSuccessful>();
        Assert.Equal(6, (await probe.ExpectMsgAsync<WriteMessageRejected>()).Persistent.SequenceNr);
        Assert.Equal(7, (await probe.ExpectMsgAsync<WriteMessageRejected>()).Persistent.SequenceNr);

        var (events, highest) = await ReplayAsync(Pid, 0, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 5), events.Select(e => e.SequenceNr));
        Assert.Equal(5, highest);
    }

    [Fact]
    public async Task A_payload_with_a_string_manifest_should_round_trip_with_its_metadata()
    {
        var payload = new Counted(42, "string manifest");
        var written = new Persistent(payload, 1, Pid, "adapter-manifest", false, ActorRefs.NoSender, WriterGuid);

        await WriteAsync(new AtomicWrite(written));
        var (events, highest) = await ReplayAsync(Pid, 0, long.MaxValue, long.MaxValue);

        var replayed = Assert.Single(events);
        Assert.Equal(payload, replayed.Payload);
        Assert.Equal("adapter-manifest", replayed.Manifest);
        Assert.Equal(WriterGuid, replayed.WriterGuid);
        Assert.Equal(Pid, replayed.PersistenceId);
        Assert.Equal(1, replayed.SequenceNr);
        Assert.False(replayed.IsDeleted);
        Assert.True(replayed.Sender is null || replayed.Sender.Equals(Sys.DeadLetters));
        Assert.True(replayed.Timestamp > 0);
        Assert.Equal(1, highest);
    }

    [Fact]
    public async Task Persistence_ids_should_be_isolated_when_one_is_a_prefix_of_another()
    {
        await WriteFiveEventsAsync("p-1");
        await WriteAsync(new AtomicWrite(Event("p-10", 1)), new AtomicWrite(Event("p-10", 2)), new AtomicWrite(Event("p-", 1)));

        var (p1, p1Highest) = await ReplayAsync("p-1", 0, long.MaxValue, long.MaxValue);
        var (p10, p10Highest) = await ReplayAsync("p-10", 0, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 5), p1.Select(e => e.SequenceNr));
        Assert.All(p1, e => Assert.Equal("p-1", e.PersistenceId));
        Assert.Equal(5, p1Highest);
        Assert.Equal(Range(1, 2), p10.Select(e => e.SequenceNr));
        Assert.All(p10, e => Assert.Equal("p-10", e.PersistenceId));
        Assert.Equal(2, p10Highest);

        await DeleteToAsync("p-1", long.MaxValue);
        var (p10After, _) = await ReplayAsync("p-10", 0, long.MaxValue, long.MaxValue);
        var (pDash, pDashHighest) = await ReplayAsync("p-", 0, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 2), p10After.Select(e => e.SequenceNr));
        Assert.Equal([1L], pDash.Select(e => e.SequenceNr));
        Assert.Equal(1, pDashHighest);
    }

    [Fact]
    public async Task Writes_sent_back_to_back_should_be_replayed_in_sequence_order()
    {
        var probe = CreateTestProbe();
        for (var seqNr = 1L; seqNr <= 20; seqNr++)
        {
            Journal.Tell(new WriteMessages([new AtomicWrite(Event(Pid, seqNr))], probe.Ref, ActorInstanceId));
        }

        for (var i = 0; i < 20; i++)
        {
            await probe.ExpectMsgAsync<WriteMessagesSuccessful>();
            await probe.ExpectMsgAsync<WriteMessageSuccess>();
        }

        var (events, highest) = await ReplayAsync(Pid, 0, long.MaxValue, long.MaxValue);
        Assert.Equal(Range(1, 20), events.Select(e => e.SequenceNr));
        Assert.Equal(20, highest);
    }

    [Fact]
    public async Task Journal_should_keep_events_deletions_and_highest_sequence_number_after_its_actor_system_restarts()
    {
        using var folder = new TempFolder();
        var first = PersistenceTestConfig.StartSystem("journal-first", folder.Path);
        try
        {
            var journal = Akka.Persistence.Persistence.Instance.Apply(first).JournalFor(null);
            var probe = CreateTestProbe(first);
            await WriteAsync(journal, probe, FiveEvents("p-1"));
            await WriteAsync(journal, probe, new AtomicWrite(Event("p-2", 1)));
            journal.Tell(new DeleteMessagesTo("p-1", 2, probe.Ref));
            await probe.ExpectMsgAsync<DeleteMessagesSuccess>();
            journal.Tell(new DeleteMessagesTo("p-2", long.MaxValue, probe.Ref));
            await probe.ExpectMsgAsync<DeleteMessagesSuccess>();
        }
        finally
        {
            await first.Terminate();
        }

        Assert.False(RocksDbDatabase.IsOpen(Path.GetFullPath(folder.Path)));

        var second = PersistenceTestConfig.StartSystem("journal-second", folder.Path);
        try
        {
            var journal = Akka.Persistence.Persistence.Instance.Apply(second).JournalFor(null);
            var probe = CreateTestProbe(second);
            var (p1, p1Highest) = await ReplayAsync(journal, probe, "p-1", 0, long.MaxValue, long.MaxValue);
            var (p2, p2Highest) = await ReplayAsync(journal, probe, "p-2", 0, long.MaxValue, long.MaxValue);

            Assert.Equal(Range(3, 5), p1.Select(e => e.SequenceNr));
            Assert.All(p1, e => Assert.Equal($"a-{e.SequenceNr}", e.Payload));
            Assert.Equal(5, p1Highest);
            Assert.Empty(p2);
            Assert.Equal(1, p2Highest);
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

    private static IEnumerable<long> Range(long first, long last)
    {
        for (var i = first; i <= last; i++)
        {
            yield return i;
        }
    }

    private static Persistent Event(string pid, long seqNr, object? payload = null) =>
        new(payload ?? $"a-{seqNr}", seqNr, pid, string.Empty, false, ActorRefs.NoSender, WriterGuid);

    /// <summary>Events 1 to 5, the last two in one atomic write (as Akka's JournalSpec writes them).</summary>
    private static AtomicWrite[] FiveEvents(string pid) =>
    [
        new AtomicWrite(Event(pid, 1)),
        new AtomicWrite(Event(pid, 2)),
        new AtomicWrite(Event(pid, 3)),
        new AtomicWrite(ImmutableList.Create<IPersistentRepresentation>(Event(pid, 4), Event(pid, 5))),
    ];

    private Task WriteFiveEventsAsync(string pid) => WriteAsync(FiveEvents(pid));

    private Task WriteAsync(params AtomicWrite[] writes) => WriteAsync(Journal, CreateTestProbe(), writes);

    private static async Task WriteAsync(IActorRef journal, TestProbe probe, params AtomicWrite[] writes)
    {
        journal.Tell(new WriteMessages(writes, probe.Ref, ActorInstanceId));
        await probe.ExpectMsgAsync<WriteMessagesSuccessful>();
        foreach (var written in writes.SelectMany(w => (IImmutableList<IPersistentRepresentation>)w.Payload))
        {
            var success = await probe.ExpectMsgAsync<WriteMessageSuccess>();
            Assert.Equal(written.PersistenceId, success.Persistent.PersistenceId);
            Assert.Equal(written.SequenceNr, success.Persistent.SequenceNr);
        }
    }

    private async Task DeleteToAsync(string pid, long toSequenceNr)
    {
        var probe = CreateTestProbe();
        Journal.Tell(new DeleteMessagesTo(pid, toSequenceNr, probe.Ref));
        Assert.Equal(toSequenceNr, (await probe.ExpectMsgAsync<DeleteMessagesSuccess>()).ToSequenceNr);
    }

    private Task<(List<IPersistentRepresentation> Events, long Highest)> ReplayAsync(string pid, long from, long to, long max) =>
        ReplayAsync(Journal, CreateTestProbe(), pid, from, to, max);

    /// <summary>Replays into a probe: the ReplayedMessages, then the RecoverySuccess with the highest sequence number.</summary>
    private static async Task<(List<IPersistentRepresentation> Events, long Highest)> ReplayAsync(IActorRef journal, TestProbe probe, string pid, long from, long to, long max)
    {
        journal.Tell(new ReplayMessages(from, to, max, pid, probe.Ref));
        var events = new List<IPersistentRepresentation>();
        while (true)
        {
            switch (await probe.ExpectMsgAsync<object>())
            {
                case ReplayedMessage replayed:
                    events.Add(replayed.Persistent);
                    break;
                case RecoverySuccess success:
                    return (events, success.HighestSequenceNr);
                case var other:
                    Assert.Fail($"unexpected reply to ReplayMessages: {other}");
                    break;
            }
        }
    }
}
