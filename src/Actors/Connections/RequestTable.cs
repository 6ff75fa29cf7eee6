using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The connection's requests waiting for another actor's reply, by correlation id: storage, subscribe, unsubscribe and
/// lock requests alike. Each has a deadline; <see cref="Sweep"/> takes out the ones past it. It also decides how often
/// the sweep runs: <see cref="FastSweep"/> while anything is pending, <see cref="SlowSweep"/> once a sweep finds the
/// table empty (10,000 idle connections must not wake 10,000 times a second).
/// </summary>
/// <remarks>Plain state, used by the connection actor only (not thread-safe). Times are <see cref="TimeProvider"/> timestamps.</remarks>
internal sealed class RequestTable
{
    private readonly Dictionary<long, PendingRequest> _pending = [];
    private readonly TimeProvider _clock;
    private readonly long _timeoutTicks;
    private long _nextCorrelation;
    private bool _sweepingFast;
    private bool _sweptEmpty;

    /// <param name="idleTimeout">Zero when off; with the lease renewal interval, how slow the slow sweep may be.</param>
    public RequestTable(TimeSpan requestTimeout, TimeSpan idleTimeout, TimeSpan leaseRenewInterval, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _timeoutTicks = (long)(requestTimeout.TotalSeconds * _clock.TimestampFrequency);
        FastSweep = TimeSpan.FromMilliseconds(Math.Clamp(requestTimeout.TotalMilliseconds / 4, 50, 1000));

        // The idle timeout and lease renewals need no more than this, and never faster than the fast sweep.
        var idle = idleTimeout > TimeSpan.Zero ? idleTimeout / 4 : TimeSpan.MaxValue;
        var slow = TimeSpan.FromMilliseconds(Math.Min(leaseRenewInterval.TotalMilliseconds, idle.TotalMilliseconds));
        SlowSweep = slow > FastSweep ? slow : FastSweep;
    }

    /// <summary>Request timeouts are checked this often while requests are pending...</summary>
    public TimeSpan FastSweep { get; }

    /// <summary>...and only this often when none is.</summary>
    public TimeSpan SlowSweep { get; }

    public int Count => _pending.Count;

    /// <summary>Adds a request sent on now, started (decoded) at <paramref name="startedAt"/>; returns its correlation id.</summary>
    public long Add(RequestId id, RequestKind kind, long startedAt)
    {
        var correlation = ++_nextCorrelation;
        _pending.Add(correlation, new PendingRequest(id, kind, _clock.GetTimestamp() + _timeoutTicks, startedAt));
        _sweptEmpty = false;
        return correlation;
    }

    /// <summary>Takes out the request a reply answers; false when it is not (or no longer) pending, e.g. timed out.</summary>
    public bool TryComplete(long correlation, out PendingRequest pending) => _pending.Remove(correlation, out pending);

    /// <summary>Takes out every request past its deadline into <paramref name="expired"/> (cleared first), in the order
    /// they were asked (by correlation id), so their timeouts are answered in that order.</summary>
    public void Sweep(List<KeyValuePair<long, PendingRequest>> expired)
    {
        expired.Clear();
        var now = _clock.GetTimestamp();
        foreach (var entry in _pending)
        {
            if (entry.Value.DeadlineTicks < now)
            {
                expired.Add(entry);
            }
        }

        foreach (var entry in expired)
        {
            _pending.Remove(entry.Key);
        }

        // A dictionary reuses freed slots: its order is not the order of the requests.
        expired.Sort(static (a, b) => a.Key.CompareTo(b.Key));

        _sweptEmpty = _pending.Count == 0;
    }

    /// <summary>
    /// The interval the sweep timer should change to, if it should: fast as soon as a request is pending, slow again
    /// at the first sweep that leaves the table empty (not at every completion: the timer is not restarted per request).
    /// </summary>
    public TimeSpan? SweepIntervalChange()
    {
        if (!_sweepingFast && _pending.Count > 0)
        {
            _sweepingFast = true;
            return FastSweep;
        }

        if (_sweepingFast && _sweptEmpty)
        {
            _sweepingFast = false;
            _sweptEmpty = false;
            return SlowSweep;
        }

        return null;
    }
}
