namespace MwgActors.Actors.Connections;

/// <summary>
/// The connection's request rate limit (<c>mwg.connection.max-requests-per-second</c>) over a <see cref="TokenBucket"/>.
/// Extended dialects answer a request over the rate RateLimited; G1 has no error frame to say "slow down", so its
/// frames over the rate wait here, in order, for a token. Each waiting frame holds a request slot, so at most
/// max-requests-in-flight wait and the socket is not read meanwhile (backpressure).
/// </summary>
/// <remarks>Plain state, used by the connection actor only.</remarks>
internal sealed class RequestRateLimit(TokenBucket bucket)
{
    private readonly Queue<byte[]> _delayed = new();

    public bool AnyDelayed => _delayed.Count > 0;

    /// <summary>Takes a token for a request now; false when over the rate.</summary>
    public bool TryTake() => bucket.TryTake();

    /// <summary>A G1 frame arrived: true when it must wait (it is then held), false when it may run now. Frames never
    /// overtake one that waits.</summary>
    public bool Delay(byte[] frame)
    {
        if (_delayed.Count == 0 && bucket.TryTake())
        {
            return false;
        }

        _delayed.Enqueue(frame);
        return true;
    }

    /// <summary>The oldest held frame, when a token is there for it.</summary>
    public bool TryRelease(out byte[] frame)
    {
        if (_delayed.Count > 0 && bucket.TryTake())
        {
            frame = _delayed.Dequeue();
            return true;
        }

        frame = null!;
        return false;
    }

    /// <summary>When to look again for a token for the held frames.</summary>
    public TimeSpan UntilNextToken() => bucket.UntilNextToken();
}
