using MwgActors.Protocol;

namespace MwgActors.Client;

/// <summary>
/// A request failed. <see cref="Code"/> is the server's error code, or the client's own reason
/// (<see cref="ErrorCode.Unavailable"/> when not connected, <see cref="ErrorCode.Timeout"/> when the request
/// timeout elapsed). <see cref="IsRetryable"/> says whether the same request may succeed later.
/// <see cref="OutcomeUnknown"/> is set for a write whose connection was lost before its reply: it may or may not
/// have been applied.
/// </summary>
public sealed class MwgClientException : Exception
{
    public MwgClientException(ErrorCode code, string message, bool? isRetryable = null, bool outcomeUnknown = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        IsRetryable = isRetryable ?? code.IsRetryable();
        OutcomeUnknown = outcomeUnknown;
    }

    public MwgClientException()
        : this(ErrorCode.Internal, "request failed")
    {
    }

    public MwgClientException(string message)
        : this(ErrorCode.Internal, message)
    {
    }

    public MwgClientException(string message, Exception innerException)
        : this(ErrorCode.Internal, message, innerException: innerException)
    {
    }

    public ErrorCode Code { get; }

    public bool IsRetryable { get; }

    /// <summary>True when a write was sent but its reply was lost with the connection.</summary>
    public bool OutcomeUnknown { get; }
}
