using Akka.Actor;
using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>Replays paced at the socket's pace: chunks of half the queue, the next once the queue is at its low-water mark.</summary>
public sealed class ReplayPacingTests
{
    [Fact]
    public void A_replay_should_read_half_the_queue_a_chunk_and_wait_for_the_low_water_mark()
    {
        var pacing = new ReplayPacing(maxFrames: 8, maxBytes: 1 << 20);
        Assert.Equal(4, pacing.ChunkSize);
        Assert.False(pacing.AnyWaiting);

        pacing.ChunkSent(7, ActorRefs.Nobody);
        pacing.ChunkSent(9, ActorRefs.Nobody);
        Assert.True(pacing.AnyWaiting);
        Assert.False(pacing.HasRoom(new Levels(3, 0)));
        Assert.True(pacing.HasRoom(new Levels(2, 0)));
        Assert.Equal([7L, 9L], pacing.TakeWaiting().Select(w => w.Key).Order());
        Assert.False(pacing.AnyWaiting);
        Assert.Empty(pacing.TakeWaiting());
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(9, 4)]
    public void A_chunk_should_carry_at_least_one_revision(int maxFrames, int chunk)
    {
        Assert.Equal(chunk, new ReplayPacing(maxFrames, maxBytes: 1024).ChunkSize);
    }

    [Fact]
    public void The_queued_bytes_should_hold_a_replay_back_as_well_as_the_frames()
    {
        var pacing = new ReplayPacing(maxFrames: 100, maxBytes: 1000);
        Assert.False(pacing.HasRoom(new Levels(0, 251)));
        Assert.True(pacing.HasRoom(new Levels(0, 250)));
    }

    [Fact]
    public void Each_waiting_replay_should_be_continued_by_the_actor_that_sent_its_latest_chunk()
    {
        var pacing = new ReplayPacing(maxFrames: 8, maxBytes: 1024);
        var first = new TestRef("first");
        var restarted = new TestRef("restarted");
        var other = new TestRef("other");

        pacing.ChunkSent(7, first);
        pacing.ChunkSent(7, restarted); // the same replay waits once, for its latest sender
        pacing.ChunkSent(9, other);

        var waiting = pacing.TakeWaiting().OrderBy(w => w.Key).ToArray();
        Assert.Equal([7L, 9L], waiting.Select(w => w.Key));
        Assert.Same(restarted, waiting[0].Value);
        Assert.Same(other, waiting[1].Value);
    }

    /// <summary>An outbound queue filled to a level; only the levels are read.</summary>
    private sealed class Levels(int frames, long bytes) : IConnectionOutput
    {
        public int QueuedFrames => frames;

        public long QueuedBytes => bytes;

        public bool TryEnqueue(byte[] frame, bool droppable) => throw new NotSupportedException();

        public int DropDroppable() => throw new NotSupportedException();

        public void Close(int closeCode, string reason) => throw new NotSupportedException();

        public void RequestCompleted() => throw new NotSupportedException();

        public void NotifyWhenDrained(IActorRef connection) => throw new NotSupportedException();
    }
}
