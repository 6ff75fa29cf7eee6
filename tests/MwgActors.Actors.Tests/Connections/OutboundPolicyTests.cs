using Akka.Actor;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The overflow policy, replay pacing and the low-water mark, on a queue without a socket.</summary>
public sealed class OutboundPolicyTests
{
    [Theory]
    [InlineData(OverflowPolicy.Reload, true, false)]
    [InlineData(OverflowPolicy.Close, true, true)]
    [InlineData(OverflowPolicy.Reload, false, true)] // G1 has no reload signal
    public void An_overflow_should_close_under_the_close_policy_and_always_in_G1(OverflowPolicy policy, bool extended, bool closes)
    {
        Assert.Equal(closes, new OutboundPolicy(policy, DialectFallbacks.For(extended)).Closes);
    }

    [Fact]
    public void An_overflow_should_be_reported_once()
    {
        var policy = new OutboundPolicy(OverflowPolicy.Reload, DialectFallbacks.Extended);

        Assert.Equal([true, false, false], Enumerable.Range(0, 3).Select(_ => policy.FirstOverflow()));
    }

    [Fact]
    public void Pushes_should_be_droppable_but_replies_and_the_expiry_not()
    {
        Assert.True(OutboundPolicy.IsDroppable(new ReloadAll(1)));
        Assert.False(OutboundPolicy.IsDroppable(new TokenExpired()));
        Assert.False(OutboundPolicy.IsDroppable(new Pong(RequestId.FromString("1"))));
    }

    [Fact]
    public void A_reload_should_drop_the_droppable_frames_then_queue_the_reloads_and_the_reply_in_order()
    {
        var output = new Queue(capacity: 4);
        output.TryEnqueue([0], droppable: false);
        output.TryEnqueue([1], droppable: true);
        output.TryEnqueue([2], droppable: true);
        output.TryEnqueue([3], droppable: true);

        var fits = OutboundPolicy.TryReload(output, [[10], [11]], reply: [20], out var dropped, out var reloads);

        Assert.True(fits);
        Assert.Equal((3, 2), (dropped, reloads));
        Assert.Equal([0, 10, 11, 20], output.Frames.Select(f => (int)f[0]));
    }

    [Fact]
    public void A_reload_that_does_not_fit_should_say_so_and_stop_reading_the_reloads()
    {
        var output = new Queue(capacity: 2);
        output.TryEnqueue([0], droppable: false);
        var encoded = 0;

        var fits = OutboundPolicy.TryReload(output, Reloads(), reply: null, out _, out var reloads);

        Assert.False(fits);
        Assert.Equal((1, 2), (reloads, encoded));

        IEnumerable<byte[]> Reloads()
        {
            for (var i = 0; i < 5; i++)
            {
                encoded++;
                yield return [(byte)i];
            }
        }
    }

    [Theory]
    [InlineData(2, 0, true)]
    [InlineData(3, 0, false)]
    [InlineData(0, 256, true)]
    [InlineData(0, 257, false)]
    public void The_low_water_mark_should_be_a_quarter_of_both_bounds(int frames, long bytes, bool reached)
    {
        Assert.Equal(reached, OutboundLowWater.IsReached(frames, bytes, maxFrames: 8, maxBytes: 1024));
    }

    [Fact]
    public void A_replay_should_read_half_the_queue_a_chunk_and_wait_for_the_low_water_mark()
    {
        var pacing = new ReplayPacing(maxFrames: 8, maxBytes: 1 << 20);
        var output = new Queue(capacity: 8);
        Assert.Equal(4, pacing.ChunkSize);
        Assert.False(pacing.AnyWaiting);

        pacing.ChunkSent(7, ActorRefs.Nobody);
        pacing.ChunkSent(9, ActorRefs.Nobody);
        for (var i = 0; i < 3; i++)
        {
            output.TryEnqueue([1], droppable: true);
        }

        Assert.False(pacing.HasRoom(output));
        output.DropDroppable();
        Assert.True(pacing.HasRoom(output));
        Assert.Equal([7L, 9L], pacing.TakeWaiting().Select(w => w.Key).Order());
        Assert.False(pacing.AnyWaiting);
    }

    /// <summary>A bounded outbound queue in memory.</summary>
    private sealed class Queue(int capacity) : IConnectionOutput
    {
        private readonly List<(byte[] Frame, bool Droppable)> _frames = [];

        public IEnumerable<byte[]> Frames => _frames.Select(f => f.Frame);

        public int QueuedFrames => _frames.Count;

        public long QueuedBytes => _frames.Sum(f => (long)f.Frame.Length);

        public bool TryEnqueue(byte[] frame, bool droppable)
        {
            if (_frames.Count >= capacity)
            {
                return false;
            }

            _frames.Add((frame, droppable));
            return true;
        }

        public int DropDroppable() => _frames.RemoveAll(f => f.Droppable);

        public void Close(int closeCode, string reason) => throw new NotSupportedException();

        public void RequestCompleted() => throw new NotSupportedException();

        public void NotifyWhenDrained(IActorRef connection) => throw new NotSupportedException();
    }
}
