using MwgActors.Storage.Mwdb;

namespace MwgActors.Protocol.Binary;

/// <summary>
/// What a server must know of G1 requests beyond decoding them, because an original mwDB client has no error
/// frame and matches replies by the decoded value of their id (mwdb-g1.md section 3).
/// </summary>
public static class G1Requests
{
    /// <summary>
    /// The answer to a G1 put or remove the decoder refused for a limit (too many pairs, a key or value too large):
    /// <c>false</c> with the request's id, as for a forbidden write, so the connection stays usable. Null for every
    /// other refusal (a malformed frame, a frame too large to read, a get): those have no answer but the close.
    /// </summary>
    public static Reply? RefusalFor(ProtocolException refused)
    {
        ArgumentNullException.ThrowIfNull(refused);
        if (refused.RequestId.IsNone || refused.Code is not (ErrorCode.TooManyKeys or ErrorCode.KeyTooLarge or ErrorCode.ValueTooLarge))
        {
            return null;
        }

        return refused.FrameType switch
        {
            FrameType.G1Put => new PutResult(refused.RequestId, false),
            FrameType.G1PutResultOrRemove => new RemoveResult(refused.RequestId, false),
            _ => null,
        };
    }

    /// <summary>
    /// Whether an original client reads <paramref name="id"/> as 0: the id it also reads from a type 5 push, which
    /// carries none. <c>A</c> is 0, but so are <c>B</c> (minus zero) and <c>AA</c>: the client compares decoded values.
    /// </summary>
    public static bool IdDecodesToZero(RequestId id) => !id.IsNone && IdDecodesToZero(id.Bytes);

    /// <summary>
    /// Whether the id of the G1 frame <paramref name="frame"/> (its header <c># TYPE ID</c>, or the bare prefix request
    /// <c>06 ID</c>) reads as 0, looked at before the frame is decoded (while it waits for the rate limit).
    /// </summary>
    public static bool FrameIdDecodesToZero(ReadOnlySpan<byte> frame)
    {
        var separator = frame.LastIndexOf(FrameType.Separator);
        var header = separator < 0 ? frame : frame[(separator + 1)..];
        return header.Length > 1 && IdDecodesToZero(header[1..]);
    }

    private static bool IdDecodesToZero(ReadOnlySpan<byte> id) => MwdbBase64.TryDecodeInt(id, out var value) && value == 0;
}
