namespace MwgActors.Gateway.Server;

/// <summary>
/// The server-wide budget of <c>GET /keys</c>: at most <c>mwg.server.max-concurrent-listings</c> listings in flight,
/// each holding at most <c>listing-max-bytes</c>, so clients that never read their listing can pin that product at
/// most. Entered before the scan, left when the response is written or the client is gone.
/// </summary>
internal sealed class ListingGate
{
    private readonly int _max;
    private int _inFlight;
    private long _bytesHeld;

    public ListingGate(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        _max = max;
    }

    /// <summary>Listings in flight.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Keys and values the listings in flight hold (read, not yet written to their client).</summary>
    public long BytesHeld => Interlocked.Read(ref _bytesHeld);

    /// <summary>A place for one more listing, or null when <c>max-concurrent-listings</c> are in flight.</summary>
    public Lease? TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) > _max)
        {
            Interlocked.Decrement(ref _inFlight);
            return null;
        }

        return new Lease(this);
    }

    /// <summary>One listing's place; disposing it gives the place and the bytes it holds back.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ListingGate _gate;
        private long _bytes;
        private int _disposed;

        internal Lease(ListingGate gate) => _gate = gate;

        /// <summary>The listing now holds <paramref name="bytes"/> more.</summary>
        public void Hold(long bytes)
        {
            _bytes += bytes;
            Interlocked.Add(ref _gate._bytesHeld, bytes);
        }

        /// <summary>The listing handed <paramref name="bytes"/> to the socket and dropped them.</summary>
        public void Release(long bytes) => Hold(-bytes);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Add(ref _gate._bytesHeld, -_bytes);
                Interlocked.Decrement(ref _gate._inFlight);
            }
        }
    }
}
