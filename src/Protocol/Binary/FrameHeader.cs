using MwgActors.Storage.Mwdb;

namespace MwgActors.Protocol.Binary;

/// <summary>
/// The suffix header every binary frame ends with, <c>DATA # TYPE ID</c>, or G1's bare prefix request
/// <c>06 ID</c>. Type bytes are never <c>#</c> and ids are mwDB Base64, so the last <c>#</c> is always the
/// header's, whatever bytes the data holds.
/// </summary>
internal readonly ref struct FrameHeader
{
    private FrameHeader(ReadOnlySpan<byte> data, byte type, ReadOnlySpan<byte> id, bool bare)
    {
        Data = data;
        Type = type;
        IdBytes = id;
        IsBare = bare;
    }

    public ReadOnlySpan<byte> Data { get; }

    public byte Type { get; }

    public ReadOnlySpan<byte> IdBytes { get; }

    /// <summary>The frame had no <c>#</c> at all (only G1's prefix request may).</summary>
    public bool IsBare { get; }

    public static FrameHeader Read(ReadOnlySpan<byte> frame, ProtocolLimits limits)
    {
        if (frame.Length > limits.MaxFrameBytes)
        {
            throw new ProtocolException(ErrorCode.FrameTooLarge, "frame exceeds the frame size limit");
        }

        if (frame.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.BadFrame, "empty frame");
        }

        var separator = frame.LastIndexOf(FrameType.Separator);
        if (separator < 0)
        {
            return new FrameHeader([], frame[0], frame[1..], bare: true);
        }

        var header = frame[(separator + 1)..];
        if (header.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.BadFrame, "frame ends without a type byte");
        }

        return new FrameHeader(frame[..separator], header[0], header[1..], bare: false);
    }

    /// <summary>A request or reply id: an mwDB Base64 int (1 to 6 characters), copied verbatim.</summary>
    public RequestId RequireId()
    {
        // Checked as a Base64 int, then kept as the raw bytes so the reply echoes them exactly.
        return MwdbBase64.TryDecodeInt(IdBytes, out _)
            ? new RequestId(IdBytes.ToArray())
            : throw new ProtocolException(ErrorCode.BadFrame, "the message id must be an mwDB Base64 int");
    }

    /// <summary>Pushes carry no id: the header is the type byte alone.</summary>
    public void RequireNoId()
    {
        if (!IdBytes.IsEmpty)
        {
            throw new ProtocolException(ErrorCode.BadFrame, "a push carries no message id");
        }
    }

    /// <summary>Error replies may lack an id (the failed frame's could not be read).</summary>
    public RequestId OptionalId() => IdBytes.IsEmpty ? RequestId.None : RequireId();

    public void RequireNotBare()
    {
        if (IsBare)
        {
            throw new ProtocolException(ErrorCode.BadFrame, "frame has no '#' header");
        }
    }
}
