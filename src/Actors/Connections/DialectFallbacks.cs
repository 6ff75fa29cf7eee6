namespace MwgActors.Actors.Connections;

/// <summary>How a connection answers a situation in its dialect.</summary>
internal enum FallbackAction
{
    /// <summary>An error frame (or, for the expiry, the TokenExpired push).</summary>
    ErrorFrame,

    /// <summary>G1's only refusal: a put or remove answered false.</summary>
    AnswerFalse,

    /// <summary>Close the socket with <see cref="Fallback.CloseCode"/>: the only signal G1 has for the rest.</summary>
    Close,

    /// <summary>Hold the frame until it may run (G1 has no error frame to say "slow down").</summary>
    Delay,

    /// <summary>Nothing is sent.</summary>
    Skip,
}

/// <param name="CloseCode">With <see cref="FallbackAction.Close"/>, the websocket close code, and its reason text.</param>
internal readonly record struct Fallback(FallbackAction Action, int CloseCode = 0, string CloseReason = "")
{
    public static Fallback Error => new(FallbackAction.ErrorFrame);

    public static Fallback False => new(FallbackAction.AnswerFalse);

    public static Fallback Skip => new(FallbackAction.Skip);

    public static Fallback Closes(int code, string reason) => new(FallbackAction.Close, code, reason);

    /// <summary>What is sent instead of closing: <paramref name="frame"/> (the error frame, or the push the extended
    /// dialects send) for <see cref="FallbackAction.ErrorFrame"/>, <paramref name="falseAnswer"/> for
    /// <see cref="FallbackAction.AnswerFalse"/>, nothing for the rest.</summary>
    public T? AnswerOf<T>(T? frame, T? falseAnswer)
        where T : class => Action switch
        {
            FallbackAction.ErrorFrame => frame,
            FallbackAction.AnswerFalse => falseAnswer,
            _ => null,
        };
}

/// <summary>
/// One table for what each dialect does where the extended dialects send an error frame: the original (G1) dialect
/// has no error frame, so it answers a write false or closes the socket. A row per dialect, a column per situation;
/// the connection actor reads it instead of asking the codec which dialect it speaks.
/// </summary>
/// <param name="Refused">A request refused (unauthorized, forbidden) that is not a write.</param>
/// <param name="RefusedWrite">A put or remove refused.</param>
/// <param name="StorageFailedRead">A read the storage failed (G1: the error frame it cannot carry closes with 1011).</param>
/// <param name="StorageFailedWrite">A write the storage failed.</param>
/// <param name="TimedOut">A request not answered within the request timeout.</param>
/// <param name="BadWrite">A put or remove frame over a limit (G1: answered false, see G1Requests.RefusalFor: an original
/// client has no timeout and would wait forever for a close it does not expect).</param>
/// <param name="BadFrame">Any other frame that could not be decoded.</param>
/// <param name="FrameTooLarge">A frame over the frame size limit, likewise.</param>
/// <param name="ReplyNotRepresentable">A reply the dialect cannot write (e.g. a value with '#' in G1).</param>
/// <param name="ReplyTooLargeNotRepresentable">The ReplyTooLarge error, where the dialect cannot write it.</param>
/// <param name="PushNotRepresentable">A push the dialect cannot write.</param>
/// <param name="TokenExpired">The token expired.</param>
/// <param name="RateLimited">A request over the rate limit.</param>
/// <param name="Overflow">The outbound queue overflowed (extended: the overflow policy decides).</param>
/// <param name="IdleTimeout">No frame for the idle timeout (G1 clients send no heartbeats: never).</param>
internal sealed record DialectFallbacks(
    Fallback Refused,
    Fallback RefusedWrite,
    Fallback StorageFailedRead,
    Fallback StorageFailedWrite,
    Fallback TimedOut,
    Fallback BadWrite,
    Fallback BadFrame,
    Fallback FrameTooLarge,
    Fallback ReplyNotRepresentable,
    Fallback ReplyTooLargeNotRepresentable,
    Fallback PushNotRepresentable,
    Fallback TokenExpired,
    Fallback RateLimited,
    Fallback Overflow,
    Fallback IdleTimeout)
{
    public static DialectFallbacks Extended { get; } = new(
        Refused: Fallback.Error,
        RefusedWrite: Fallback.Error,
        StorageFailedRead: Fallback.Error,
        StorageFailedWrite: Fallback.Error,
        TimedOut: Fallback.Error,
        BadWrite: Fallback.Error,
        BadFrame: Fallback.Error,
        FrameTooLarge: Fallback.Error,
        ReplyNotRepresentable: Fallback.Error,
        ReplyTooLargeNotRepresentable: Fallback.Error,
        PushNotRepresentable: Fallback.Skip,
        TokenExpired: Fallback.Error,
        RateLimited: Fallback.Error,
        Overflow: Fallback.Error,
        IdleTimeout: Fallback.Closes(CloseCodes.GoingAway, "idle timeout"));

    public static DialectFallbacks G1 { get; } = new(
        Refused: Fallback.Closes(CloseCodes.PolicyViolation, "forbidden"),
        RefusedWrite: Fallback.False,
        StorageFailedRead: Fallback.Error,
        StorageFailedWrite: Fallback.False,
        TimedOut: Fallback.Closes(CloseCodes.InternalError, "request timed out"),
        BadWrite: Fallback.False,
        BadFrame: Fallback.Closes(CloseCodes.ProtocolError, "protocol error"),
        FrameTooLarge: Fallback.Closes(CloseCodes.MessageTooBig, "protocol error"),
        ReplyNotRepresentable: Fallback.Closes(CloseCodes.InternalError, "reply not representable in G1"),
        ReplyTooLargeNotRepresentable: Fallback.Closes(CloseCodes.MessageTooBig, "reply too large"),
        PushNotRepresentable: Fallback.Skip,
        TokenExpired: Fallback.Closes(CloseCodes.PolicyViolation, "token expired"),
        RateLimited: new Fallback(FallbackAction.Delay),
        Overflow: Fallback.Closes(CloseCodes.PolicyViolation, "outbound queue overflow"),
        IdleTimeout: Fallback.Skip);

    public static DialectFallbacks For(bool extended) => extended ? Extended : G1;

    /// <summary>A refused request: a write may be answered false where others may not.</summary>
    public Fallback RefusalOf(RequestKind kind) => IsWrite(kind) ? RefusedWrite : Refused;

    /// <summary>A request the storage failed.</summary>
    public Fallback StorageFailureOf(RequestKind kind) => IsWrite(kind) ? StorageFailedWrite : StorageFailedRead;

    /// <summary>A frame that could not be decoded and is not a write answered false.</summary>
    public Fallback BadFrameOf(Protocol.ErrorCode code) => code == Protocol.ErrorCode.FrameTooLarge ? FrameTooLarge : BadFrame;

    private static bool IsWrite(RequestKind kind) => kind is RequestKind.Put or RequestKind.Remove;
}
