namespace MwgActors.Protocol;

/// <summary>
/// Why a request failed. One enum for the codec and the actors; the numeric values are on the wire
/// (binary error frames, the <c>code</c> of JSON errors) and never change. Documented in docs/protocol.md.
/// </summary>
public enum ErrorCode
{
    /// <summary>The frame is malformed: bad header, truncated field, bad encoding, wrong shape.</summary>
    BadFrame = 1,

    /// <summary>The type byte (or JSON action) is not one this dialect accepts.</summary>
    UnknownType = 2,

    FrameTooLarge = 3,
    TooManyKeys = 4,
    KeyTooLarge = 5,
    ValueTooLarge = 6,
    TooManySubscriptions = 7,
    UnknownSubscription = 8,

    /// <summary>Unlock of a prefix the connection does not hold.</summary>
    NotLockHolder = 9,

    /// <summary>Every prefix is held by a live client.</summary>
    NoFreePrefix = 10,

    /// <summary>A reclaim or unlock presented a lease token the server did not give for that prefix.</summary>
    LeaseTokenInvalid = 11,

    /// <summary>The resume point of a subscribe is older than the retained history.</summary>
    ResumeTooOld = 12,

    /// <summary>The reply cannot be written in the client's dialect (a value with <c>#</c> for a G1 client,
    /// a value that is not UTF-8 for a JSON client that did not ask for Base64).</summary>
    NotRepresentable = 13,

    /// <summary>The reply would exceed the connection's outbound budget (mwg.connection.outbound-max-bytes); found while
    /// reading, before it was paid for. Ask for fewer or smaller keys.</summary>
    ReplyTooLarge = 14,

    /// <summary>A subscription names more prefixes than mwg.protocol.max-prefixes-per-subscription, or the
    /// connection's prefixes would exceed mwg.protocol.max-prefix-bytes-per-connection.</summary>
    TooManyPrefixes = 15,

    /// <summary>The owner (token subject, or the connection when anonymous) already holds mwg.locks.max-leases-per-owner leases.</summary>
    LeaseQuotaExceeded = 16,

    Unauthorized = 20,
    Forbidden = 21,

    RateLimited = 30,
    Overloaded = 31,

    /// <summary>The storage or the cluster is temporarily unavailable; retry later.</summary>
    Unavailable = 32,
    Timeout = 33,

    Internal = 40,
}

public static class ErrorCodes
{
    /// <summary>True when the same request may succeed if sent again later.</summary>
    public static bool IsRetryable(this ErrorCode code) =>
        code is ErrorCode.RateLimited or ErrorCode.Overloaded or ErrorCode.Unavailable or ErrorCode.Timeout or ErrorCode.NoFreePrefix;

    /// <summary>The HTTP-style status of a JSON error reply.</summary>
    public static int HttpStatus(this ErrorCode code) => code switch
    {
        ErrorCode.BadFrame or ErrorCode.UnknownType => 400,
        ErrorCode.FrameTooLarge or ErrorCode.TooManyKeys or ErrorCode.KeyTooLarge or ErrorCode.ValueTooLarge
            or ErrorCode.ReplyTooLarge or ErrorCode.TooManyPrefixes => 413,
        ErrorCode.TooManySubscriptions or ErrorCode.RateLimited or ErrorCode.LeaseQuotaExceeded => 429,
        ErrorCode.UnknownSubscription => 404,
        ErrorCode.NotLockHolder or ErrorCode.LeaseTokenInvalid => 409,
        ErrorCode.ResumeTooOld => 410,
        ErrorCode.NotRepresentable => 422,
        ErrorCode.Unauthorized => 401,
        ErrorCode.Forbidden => 403,
        ErrorCode.NoFreePrefix or ErrorCode.Overloaded or ErrorCode.Unavailable => 503,
        ErrorCode.Timeout => 504,
        _ => 500,
    };

    /// <summary>True for a value defined by <see cref="ErrorCode"/>; a decoder maps unknown values to <see cref="ErrorCode.Internal"/>.</summary>
    public static bool IsDefined(int value) => Enum.IsDefined(typeof(ErrorCode), value);
}
