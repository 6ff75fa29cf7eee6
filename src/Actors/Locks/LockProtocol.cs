using Akka.Actor;

namespace MwgActors.Actors.Locks;

/// <summary>Messages of the lock actor, which leases 16-bit id prefixes (mwDB node ids are (prefix &lt;&lt; 37) + counter).</summary>
/// <remarks>
/// Every request carries a correlation id chosen by its sender, and every reply carries it back: replies are matched
/// by id, never by arrival order, so a lost or late reply cannot be taken for the answer to a later request.
/// </remarks>
public static class LockProtocol
{
    /// <summary>
    /// Asks for the lowest free prefix for <paramref name="Owner"/>, or, with <paramref name="Reclaim"/>, for a prefix the
    /// owner held before a reconnect. Replied with <see cref="PrefixGranted"/> or <see cref="PrefixRefused"/>.
    /// The lease ends on <see cref="ReleasePrefix"/>, or a grace period after <paramref name="Owner"/> terminates.
    /// <paramref name="CorrelationId"/> comes back on the reply.
    /// </summary>
    /// <remarks>
    /// The lock actor watches <paramref name="Owner"/> (a connection actor). Without a reclaim every request is a
    /// new lease, even from an owner that holds one. A reclaim with the right token moves the lease to the new
    /// owner whether the old owner is in its grace period or still alive (a client that reconnects before the
    /// server saw the old connection drop); the old owner no longer holds it.
    /// <para>
    /// Leases count against a quota (<see cref="LockSettings.MaxLeasesPerOwner"/>) per <paramref name="Subject"/>, the
    /// token subject the owner acts for, or per <paramref name="Owner"/> when it is null (anonymous
    /// connections). <paramref name="ShortPrefix"/> asks for a prefix of 0..32767: the original Java clients keep their
    /// prefix in a <c>short</c>, where higher ones turn negative.
    /// </para>
    /// </remarks>
    /// <remarks>
    /// The correlation id follows the owner, not the optional parameters: C# puts required parameters first, and a
    /// default would let a sender forget it.
    /// </remarks>
    public sealed record AcquirePrefix(IActorRef Owner, long CorrelationId, PrefixClaim? Reclaim = null, string? Subject = null, bool ShortPrefix = false);

    /// <summary>A prefix and the lease token the server gave with it.</summary>
    public sealed record PrefixClaim(int Prefix, string LeaseToken);

    /// <summary>
    /// A lease on <paramref name="Prefix"/>. <paramref name="LeaseToken"/> is 128 random bits as URL-safe Base64;
    /// it proves the lease for a release or a reclaim. A reclaim keeps the token (it is not rotated): the client
    /// already holds it, and a reclaim whose reply is lost on another drop can be retried with the same token.
    /// </summary>
    public sealed record PrefixGranted(int Prefix, string LeaseToken, long CorrelationId);

    /// <summary>The request with <paramref name="CorrelationId"/> is refused.</summary>
    public sealed record PrefixRefused(LockRefusal Reason, long CorrelationId);

    /// <summary>Releases a lease. Replied with <see cref="PrefixReleased"/> or <see cref="PrefixRefused"/>, with <paramref name="CorrelationId"/>.</summary>
    public sealed record ReleasePrefix(int Prefix, string LeaseToken, long CorrelationId);

    public sealed record PrefixReleased(int Prefix, long CorrelationId);

    /// <summary>
    /// Tells the lock actor, periodically and without a reply, which leases a live owner holds. A lock actor that
    /// restarted (it puts every recovered lease in grace, not knowing which owners live) re-attaches them, so a
    /// connected client never loses its prefix to a restart of the lock actor alone. Claims whose token does not
    /// match, or whose grace has ended, are ignored. <paramref name="Subject"/> is the quota owner, as in
    /// <see cref="AcquirePrefix"/>; a renewal is never refused for the quota (the owner held these leases already).
    /// </summary>
    public sealed record RenewLeases(IActorRef Owner, IReadOnlyList<PrefixClaim> Claims, string? Subject = null);

    /// <summary>
    /// Asks for the lease table, for operations and tests (tokens are never included). Replied with <see cref="LeaseList"/>,
    /// with <paramref name="CorrelationId"/> (which an asker that waits for nothing else may leave at 0, as <see cref="Instance"/> does).
    /// </summary>
    public sealed record GetLeases(long CorrelationId = 0)
    {
        public static readonly GetLeases Instance = new();
    }

    /// <summary>Every lease, ordered by prefix.</summary>
    public sealed record LeaseList(IReadOnlyList<LeaseState> Leases, long CorrelationId = 0);

    /// <summary>One lease: live while its owner is connected, else waiting for a reclaim until <paramref name="GraceEndsAt"/>.</summary>
    public sealed record LeaseState(int Prefix, bool OwnerConnected, DateTimeOffset? GraceEndsAt);
}

public enum LockRefusal
{
    /// <summary>All 65,536 prefixes are leased (for a short prefix: all of 0..32767).</summary>
    NoFreePrefix,

    /// <summary>The token does not match the prefix's lease, or the lease has ended.</summary>
    InvalidLeaseToken,

    /// <summary>The prefix is out of the 16-bit range.</summary>
    InvalidPrefix,

    /// <summary>Cluster mode: the lock table is moving to another node (or its node is unreachable); retry.</summary>
    Unavailable,

    /// <summary>The owner holds <see cref="LockSettings.MaxLeasesPerOwner"/> leases already (in grace included).</summary>
    LeaseQuotaExceeded,
}
