using Akka.Actor;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The overflow policy, on a queue without a socket (replay pacing and the low-water mark have their own tests).</summary>
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
