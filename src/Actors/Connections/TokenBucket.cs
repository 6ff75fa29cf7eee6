using System.Diagnostics;

namespace MwgActors.Actors.Connections;

/// <summary>
/// A token bucket: <see cref="Capacity"/> tokens at most, refilled at <see cref="RatePerSecond"/>. One per
/// connection, used by its actor only (not thread-safe).
/// </summary>
public sealed class TokenBucket
{
    private readonly Func<long> _now;
    private double _tokens;
    private long _last;

    /// <param name="now">The clock in <see cref="Stopwatch"/> ticks (tests pass their own).</param>
    public TokenBucket(double ratePerSecond, int capacity, Func<long>? now = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        RatePerSecond = ratePerSecond;
        Capacity = capacity;
        _now = now ?? Stopwatch.GetTimestamp;
        _tokens = capacity;
        _last = _now();
    }

    public double RatePerSecond { get; }

    public int Capacity { get; }

    /// <summary>Takes one token; false (and nothing taken) when the bucket is empty.</summary>
    public bool TryTake()
    {
        Refill();
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>How long until <see cref="TryTake"/> can succeed (zero when it can now).</summary>
    public TimeSpan UntilNextToken()
    {
        Refill();
        return _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - _tokens) / RatePerSecond);
    }

    private void Refill()
    {
        var now = _now();
        var elapsed = (double)(now - _last) / Stopwatch.Frequency;
        _last = now;
        _tokens = Math.Min(Capacity, _tokens + (elapsed * RatePerSecond));
    }
}
