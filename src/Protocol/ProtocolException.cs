namespace MwgActors.Protocol;

/// <summary>
/// The only exception the decoders throw, whatever the bytes. It carries the code to send and, when the
/// header could be read, the id of the request it concerns, so the connection can answer with an error reply.
/// <see cref="Exception.Message"/> is the short reason, safe for the wire (it never quotes the input).
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ErrorCode code, string reason, RequestId requestId = default, byte? frameType = null)
        : base(reason)
    {
        Code = code;
        RequestId = requestId;
        FrameType = frameType;
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

    /// <summary>
    /// Binary dialects: the type byte of the frame concerned, when the decoder read it before refusing the frame,
    /// so a G1 connection can answer a refused put or remove with <c>false</c> (it has no error frame).
    /// </summary>
    public byte? FrameType { get; }

    /// <summary>The reason, as an <see cref="Error"/> reply for the request concerned.</summary>
    public Error ToError() => new(RequestId, Code, Message);
}
