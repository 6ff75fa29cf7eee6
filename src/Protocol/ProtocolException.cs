namespace MwgActors.Protocol;

/// <summary>
/// The only exception the decoders throw, whatever the bytes. It carries the code to send and, when the
/// header could be read, the id of the request it concerns, so the connection can answer with an error reply.
/// <see cref="Exception.Message"/> is the short reason, safe for the wire (it never quotes the input).
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ErrorCode code, string reason, RequestId requestId = default)
        : base(reason)
    {
        Code = code;
        RequestId = requestId;
    }

    public ProtocolException()
        : this(ErrorCode.BadFrame, "bad frame")
    {
    }

    public ProtocolException(string message)
        : this(ErrorCode.BadFrame, message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(message, innerException) => Code = ErrorCode.BadFrame;

    public ErrorCode Code { get; }

    /// <summary>The request concerned, or <see cref="RequestId.None"/> when it could not be read.</summary>
    public RequestId RequestId { get; }

    /// <summary>The reason, as an <see cref="Error"/> reply for the request concerned.</summary>
    public Error ToError() => new(RequestId, Code, Message);
}
