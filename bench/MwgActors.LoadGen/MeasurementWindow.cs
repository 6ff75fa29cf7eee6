using System.Diagnostics;

namespace MwgActors.LoadGen;

/// <summary>
/// The measured part of a kv run, shared by its workers (ours and a baseline's alike): after the warmup it opens;
/// a request counts when it started inside it, and with <c>--requests</c> exactly that many count, however many
/// workers finish at once. Workers stop once it is closed.
/// </summary>
internal sealed class MeasurementWindow(LoadGenOptions options)
{
    private long _opensAt = long.MaxValue;
    private long _remaining = long.MaxValue;
    private volatile bool _closed;

    /// <summary>The measured requests are done (or the duration is over): workers stop.</summary>
    public bool Closed => _closed;

    /// <summary>
    /// Counts a request that completed, started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp);
    /// true when the caller records it. The last counted request closes the window.
    /// </summary>
    public bool TryCount(long started)
    {
        if (started < Interlocked.Read(ref _opensAt) || _closed)
        {
            return false;
        }

        // Taking a ticket first keeps a --requests run exact however many workers finish at once.
        var left = Interlocked.Decrement(ref _remaining);
        if (left <= 0)
        {
            _closed = true;
        }

        return left >= 0;
    }

    /// <summary>
    /// Waits out the warmup, opens the window (calling <paramref name="opened"/>), waits for <c>--duration</c> or for the
    /// workers to have counted <c>--requests</c>, then for every worker to stop; returns the measured seconds.
    /// </summary>
    public async Task<double> MeasureAsync(IReadOnlyCollection<Task> workers, Action opened, CancellationToken cancellation)
    {
        await Task.Delay(options.Warmup, cancellation);
        opened();
        var from = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _remaining, options.Requests ?? long.MaxValue);
        Interlocked.Exchange(ref _opensAt, from);
        if (options.Requests is null)
        {
            await Task.WhenAny(Task.Delay(options.Duration, cancellation), Task.WhenAll(workers));
            _closed = true;
        }

        await Task.WhenAll(workers);
        return Stopwatch.GetElapsedTime(from).TotalSeconds;
    }
}
