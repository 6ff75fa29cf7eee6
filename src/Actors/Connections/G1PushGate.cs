namespace MwgActors.Actors.Connections;

/// <summary>
/// Holds a G1 connection's type 5 pushes while an original client could take one for a reply. A push carries no id,
/// and the client decodes the missing id as 0: a push that arrives while its request with id 0 waits (the prefix
/// request every connect starts with) completes that request, and the connect never does. So pushes wait while a
/// request whose id reads as 0 is unanswered, and until the client's first frame arrived (its id-0 request may be on
/// the way); then they go out in order, right after the reply. What is held is bounded like the outbound queue.
/// </summary>
/// <remarks>Plain state, driven by the connection actor: it reports frames and replies, and sends what it may take.</remarks>
internal sealed class G1PushGate(int maxFrames, long maxBytes)
{
    private readonly Queue<byte[]> _held = new();
    private long _heldBytes;
    private int _zeroIdsUnanswered;
    private bool _heardFromClient;

    /// <summary>Pushes may go out now.</summary>
    public bool IsOpen => _heardFromClient && _zeroIdsUnanswered == 0;

    public int HeldFrames => _held.Count;

    /// <summary>A frame arrived; <paramref name="zeroId"/> when its id reads as 0 (its reply is then awaited).</summary>
    public void FrameArrived(bool zeroId)
    {
        _heardFromClient = true;
        if (zeroId)
        {
            _zeroIdsUnanswered++;
        }
    }

    /// <summary>A reply went out; <paramref name="zeroId"/> when its id reads as 0.</summary>
    public void Answered(bool zeroId)
    {
        if (zeroId && _zeroIdsUnanswered > 0)
        {
            _zeroIdsUnanswered--;
        }
    }

    /// <summary>Holds a push frame while the gate is closed; false when it would exceed the outbound bounds.</summary>
    public bool TryHold(byte[] frame)
    {
        if (_held.Count >= maxFrames || _heldBytes + frame.Length > maxBytes)
        {
            return false;
        }

        _held.Enqueue(frame);
        _heldBytes += frame.Length;
        return true;
    }

    /// <summary>Queues the held pushes on <paramref name="output"/>, in order, while the gate is open; false when the
    /// output overflowed (the push that did not fit is dropped: the overflow policy decides what follows).</summary>
    public bool ReleaseInto(IConnectionOutput output)
    {
        while (TryRelease(out var frame))
        {
            if (!output.TryEnqueue(frame, droppable: true))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The oldest held push, once the gate is open.</summary>
    public bool TryRelease(out byte[] frame)
    {
        if (!IsOpen || !_held.TryDequeue(out frame!))
        {
            frame = null!;
            return false;
        }

        _heldBytes -= frame.Length;
        return true;
    }
}
