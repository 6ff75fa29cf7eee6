using MwgActors.Actors.Locks;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The leases this connection holds, renewed periodically so a restarted lock actor re-attaches them to the connection
/// (every <see cref="Interval"/>, well inside the default 30 s grace a restarted lock actor gives every lease).
/// </summary>
/// <remarks>Plain state, used by the connection actor only. Times are <see cref="TimeProvider"/> timestamps.</remarks>
internal sealed class LeaseRenewal(TimeProvider? clock = null)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<int, string> _leases = [];
    private long _lastRenewal;

    public int Count => _leases.Count;

    public void Granted(int prefix, string leaseToken) => _leases[prefix] = leaseToken;

    public void Released(int prefix) => _leases.Remove(prefix);

    /// <summary>The claims to renew when the connection holds leases and the last renewal is an interval ago.</summary>
    public bool TryRenew(out LockProtocol.PrefixClaim[] claims)
    {
        if (_leases.Count == 0 || (_lastRenewal != 0 && _clock.GetElapsedTime(_lastRenewal) < Interval))
        {
            claims = [];
            return false;
        }

        _lastRenewal = _clock.GetTimestamp();
        claims = _leases.Select(l => new LockProtocol.PrefixClaim(l.Key, l.Value)).ToArray();
        return true;
    }
}
