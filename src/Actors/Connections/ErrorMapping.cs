using MwgActors.Actors.Locks;
using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>The one place where actor failures become wire error codes and short, safe reasons.</summary>
internal static class ErrorMapping
{
    public static ErrorCode From(LockRefusal refusal) => refusal switch
    {
        LockRefusal.NoFreePrefix => ErrorCode.NoFreePrefix,
        LockRefusal.InvalidLeaseToken => ErrorCode.LeaseTokenInvalid,
        LockRefusal.InvalidPrefix => ErrorCode.NotLockHolder,
        LockRefusal.Unavailable => ErrorCode.Unavailable,
        LockRefusal.LeaseQuotaExceeded => ErrorCode.LeaseQuotaExceeded,
        _ => ErrorCode.Internal,
    };

    public static string Describe(LockRefusal refusal) => refusal switch
    {
        LockRefusal.NoFreePrefix => "every prefix is leased",
        LockRefusal.InvalidLeaseToken => "the lease token does not match the prefix",
        LockRefusal.InvalidPrefix => "the prefix is outside the 16-bit range",
        LockRefusal.Unavailable => "the lock table is unavailable, retry",
        LockRefusal.LeaseQuotaExceeded => "this owner holds as many leases as it may; release one first",
        _ => "lock failed",
    };
}
