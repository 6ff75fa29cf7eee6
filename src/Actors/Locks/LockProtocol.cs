using Akka.Actor;

namespace MwgActors.Actors.Locks;

/// <summary>Messages of the lock actor, which leases 16-bit id prefixes (mwDB node ids are (prefix &lt;&lt; 37) + counter).</summary>
public static class LockProtocol
{
    /// <summary>
    /// Asks for the lowest free prefix for <paramref name="Owner"/>, or, with <paramref name="Reclaim"/>, for a prefix the
    /// owner held before a reconnect. Replied with <see cref="PrefixGranted"/> or <see cref="PrefixRefused"/>.
    /// The lease ends on <see cref="ReleasePrefix"/>, or a grace period after <paramref name="Owner"/> terminates.
    /// </summary>
    public sealed record AcquirePrefix(IActorRef Owner, PrefixClaim? Reclaim = null);

    /// <summary>A prefix and the lease token the server gave with it.</summary>
    public sealed record PrefixClaim(int Prefix, string LeaseToken);

    public sealed record PrefixGranted(int Prefix, string LeaseToken);

    public sealed record PrefixRefused(LockRefusal Reason);

    /// <summary>Releases a lease. Replied with <see cref="PrefixReleased"/> or <see cref="PrefixRefused"/>.</summary>
    public sealed record ReleasePrefix(int Prefix, string LeaseToken);

    public sealed record PrefixReleased(int Prefix);
}

public enum LockRefusal
{
    /// <summary>All 65,536 prefixes are leased.</summary>
    NoFreePrefix,

    /// <summary>The token does not match the prefix's lease, or the lease has ended.</summary>
    InvalidLeaseToken,

    /// <summary>The prefix is out of the 16-bit range.</summary>
    InvalidPrefix,
}
