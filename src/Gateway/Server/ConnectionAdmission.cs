namespace MwgActors.Gateway.Server;

/// <summary>
/// Counts open websockets against <c>mwg.server.max-connections</c> and, among them, those not yet authenticated against
/// a cap of their own, so clients without a token can never take the places of clients with one. Every connection
/// counts in the total, which never exceeds max-connections; a connection admitted without a token also counts as
/// unauthenticated until it authenticates in-band (<see cref="Admission.Authenticated"/>) or closes. The unauthenticated
/// cap is <c>max-unauthenticated-connections</c>, but at most half of max-connections: the other half is always left to
/// clients with a token. Thread-safe; checked before the upgrade.
/// </summary>
internal sealed class ConnectionAdmission
{
    private readonly int _maxConnections;
    private int _open;
    private int _unauthenticated;

    public ConnectionAdmission(int maxConnections, int maxUnauthenticated)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxConnections);
        ArgumentOutOfRangeException.ThrowIfNegative(maxUnauthenticated);
        _maxConnections = maxConnections;
        MaxUnauthenticated = Math.Min(maxUnauthenticated, maxConnections / 2);
    }

    /// <summary>Why an upgrade was not admitted.</summary>
    public enum Refusal
    {
        /// <summary>Admitted.</summary>
        None,

        /// <summary>max-connections are open.</summary>
        Capacity,

        /// <summary>The unauthenticated cap is reached (the upgrade had no token).</summary>
        UnauthenticatedCapacity,
    }

    /// <summary>The cap in effect for connections not yet authenticated.</summary>
    public int MaxUnauthenticated { get; }

    /// <summary>Connections admitted and not yet released.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Of those, the ones not authenticated yet.</summary>
    public int Unauthenticated => Volatile.Read(ref _unauthenticated);

    /// <summary>
    /// Takes a place for a connection (<paramref name="authenticated"/>: it brought a valid token, or authentication
    /// is off), or null with the <paramref name="refusal"/>. Dispose the admission when the connection ends.
    /// </summary>
    public Admission? TryAdmit(bool authenticated, out Refusal refusal)
    {
        // Counted before the upgrade, so a burst cannot overshoot the bounds.
        if (Interlocked.Increment(ref _open) > _maxConnections)
        {
            Interlocked.Decrement(ref _open);
            refusal = Refusal.Capacity;
            return null;
        }

        if (!authenticated && Interlocked.Increment(ref _unauthenticated) > MaxUnauthenticated)
        {
            Interlocked.Decrement(ref _unauthenticated);
            Interlocked.Decrement(ref _open);
            refusal = Refusal.UnauthenticatedCapacity;
            return null;
        }

        refusal = Refusal.None;
        return new Admission(this, authenticated);
    }

    /// <summary>One admitted connection's place.</summary>
    internal sealed class Admission : IDisposable
    {
        private readonly ConnectionAdmission _owner;
        private int _unauthenticated;
        private int _released;

        public Admission(ConnectionAdmission owner, bool authenticated)
        {
            _owner = owner;
            _unauthenticated = authenticated ? 0 : 1;
        }

        /// <summary>The connection authenticated in-band: it no longer counts as unauthenticated (idempotent).</summary>
        public void Authenticated()
        {
            if (Interlocked.Exchange(ref _unauthenticated, 0) == 1)
            {
                Interlocked.Decrement(ref _owner._unauthenticated);
            }
        }

        /// <summary>The connection ended: its place is free (idempotent).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1)
            {
                return;
            }

            Authenticated();
            Interlocked.Decrement(ref _owner._open);
        }
    }
}
