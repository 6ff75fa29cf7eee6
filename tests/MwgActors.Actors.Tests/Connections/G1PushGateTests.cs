using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

public sealed class G1PushGateTests
{
    [Fact]
    public void The_gate_should_be_closed_until_the_first_frame_and_while_a_zero_id_is_unanswered()
    {
        var gate = new G1PushGate(10, 1000);
        Assert.False(gate.IsOpen);

        gate.FrameArrived(zeroId: true);
        gate.FrameArrived(zeroId: true);
        Assert.False(gate.IsOpen);

        gate.Answered(zeroId: false);
        gate.Answered(zeroId: true);
        Assert.False(gate.IsOpen);
        gate.Answered(zeroId: true);
        Assert.True(gate.IsOpen);

        // A stray answer does not count below zero.
        gate.Answered(zeroId: true);
        gate.FrameArrived(zeroId: true);
        Assert.False(gate.IsOpen);
    }

    [Fact]
    public void A_first_frame_with_another_id_should_open_the_gate()
    {
        var gate = new G1PushGate(10, 1000);

        gate.FrameArrived(zeroId: false);

        Assert.True(gate.IsOpen);
    }

    [Fact]
    public void Held_frames_should_be_released_in_order_once_open_and_bounded_in_frames_and_bytes()
    {
        var gate = new G1PushGate(3, 10);
        Assert.True(gate.TryHold([1, 1, 1, 1]));
        Assert.True(gate.TryHold([2, 2, 2, 2]));
        Assert.False(gate.TryHold([3, 3, 3])); // 11 bytes
        Assert.True(gate.TryHold([3, 3]));
        Assert.False(gate.TryHold([])); // 4 frames
        Assert.False(gate.TryRelease(out _));

        gate.FrameArrived(zeroId: false);

        var released = new List<byte>();
        while (gate.TryRelease(out var frame))
        {
            released.Add(frame[0]);
        }

        Assert.Equal([1, 2, 3], released);
        Assert.Equal(0, gate.HeldFrames);
        Assert.True(gate.TryHold(new byte[10]));
    }

    [Fact]
    public void Releasing_into_the_output_should_queue_in_order_and_stop_at_the_first_push_that_does_not_fit()
    {
        var gate = new G1PushGate(10, 1000);
        gate.TryHold([1]);
        gate.TryHold([2]);
        gate.TryHold([3]);
        var output = new Bounded(capacity: 2);
        Assert.True(gate.ReleaseInto(output)); // closed: nothing goes out, nothing overflows
        Assert.Empty(output.Frames);

        gate.FrameArrived(zeroId: false);
        Assert.False(gate.ReleaseInto(output));
        Assert.Equal([1, 2], output.Frames.Select(f => f[0]));
        Assert.Equal(0, gate.HeldFrames); // the push that did not fit is dropped

        gate.TryHold([4]);
        Assert.True(gate.ReleaseInto(new Bounded(capacity: 5)));
    }

    /// <summary>An outbound queue of a few frames, every one droppable.</summary>
    private sealed class Bounded(int capacity) : IConnectionOutput
    {
        public List<byte[]> Frames { get; } = [];

        public int QueuedFrames => Frames.Count;

        public long QueuedBytes => Frames.Sum(f => (long)f.Length);

        public bool TryEnqueue(byte[] frame, bool droppable)
        {
            Assert.True(droppable);
            if (Frames.Count >= capacity)
            {
                return false;
            }

            Frames.Add(frame);
            return true;
        }

        public int DropDroppable() => throw new NotSupportedException();

        public void Close(int closeCode, string reason) => throw new NotSupportedException();

        public void RequestCompleted() => throw new NotSupportedException();

        public void NotifyWhenDrained(Akka.Actor.IActorRef connection) => throw new NotSupportedException();
    }
}
