using System.Buffers;

namespace MwgActors.Protocol.Binary;

/// <summary>
/// Client side: writes requests (and the <see cref="Pong"/> to a server ping). <see cref="Dialect.G1"/>
/// writes the original frames exactly (a lock is the bare <c>06 ID</c>) and refuses what G1 lacks with
/// <see cref="ErrorCode.NotRepresentable"/>; <see cref="Dialect.Extended"/> writes get, put and remove as
/// length-prefixed extension frames, so keys and values may hold any byte. Stateless and thread-safe.
/// </summary>
public sealed class BinaryClientEncoder
{
    private readonly bool _extended;

    public BinaryClientEncoder(Dialect dialect)
    {
        if (dialect == Dialect.Json)
        {
            throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "the binary codec speaks G1 or Extended");
        }

        _extended = dialect == Dialect.Extended;
    }

    public byte[] Encode(ProtocolMessage message)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        Encode(message, writer);
        return writer.WrittenSpan.ToArray();
    }

    public void Encode(ProtocolMessage message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        if (message is Request { Id.IsNone: true } or Pong { Id.IsNone: true })
        {
            throw new ArgumentException("a binary request needs an id", nameof(message));
        }

        if (_extended)
        {
            EncodeExtended(message, writer);
        }
        else
        {
            EncodeG1(message, writer);
        }
    }

    private static void EncodeG1(ProtocolMessage message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case Get r:
                FrameWriter.G1Join(writer, r.Keys, r.Id);
                FrameWriter.Header(writer, FrameType.G1Get, r.Id);
                break;
            case Put r:
                FrameWriter.G1JoinPairs(writer, r.Pairs, r.Id);
                FrameWriter.Header(writer, FrameType.G1Put, r.Id);
                break;
            case Remove r:
                FrameWriter.G1Join(writer, r.Keys, r.Id);
                FrameWriter.Header(writer, FrameType.G1PutResultOrRemove, r.Id);
                break;
            case Lock { Reclaim: null } r:
                FrameWriter.Byte(writer, FrameType.G1Prefix);
                FrameWriter.Raw(writer, r.Id.Bytes);
                break;
            default:
                throw new ProtocolException(ErrorCode.NotRepresentable, "G1 has no frame for this request", (message as Request)?.Id ?? RequestId.None);
        }
    }

    private static void EncodeExtended(ProtocolMessage message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case Get r:
                FrameWriter.KeyList(writer, r.Keys);
                if (r.MinRevision > 0)
                {
                    FrameWriter.VarUInt(writer, (ulong)r.MinRevision);
                }

                FrameWriter.Header(writer, FrameType.Get, r.Id);
                break;
            case Put r:
                FrameWriter.VarUInt(writer, (ulong)r.Pairs.Count);
                for (var i = 0; i < r.Pairs.Count; i++)
                {
                    FrameWriter.Bytes(writer, r.Pairs[i].Key);
                    FrameWriter.Bytes(writer, r.Pairs[i].Value);
                }

                FrameWriter.Header(writer, FrameType.Put, r.Id);
                break;
            case Remove r:
                FrameWriter.KeyList(writer, r.Keys);
                FrameWriter.Header(writer, FrameType.Remove, r.Id);
                break;
            case Lock r:
                if (r.Reclaim is { } claim)
                {
                    FrameWriter.NonNegative(writer, claim.Prefix, nameof(claim.Prefix));
                    FrameWriter.Bytes(writer, claim.Token);
                }

                FrameWriter.Header(writer, FrameType.Lock, r.Id);
                break;
            case Unlock r:
                FrameWriter.NonNegative(writer, r.Prefix, nameof(r.Prefix));
                FrameWriter.Bytes(writer, r.Token);
                FrameWriter.Header(writer, FrameType.Unlock, r.Id);
                break;
            case Subscribe r:
                FrameWriter.Byte(writer, r.IncludeValues ? (byte)1 : (byte)0);
                FrameWriter.OptionalNonNegative(writer, r.SinceRevision, nameof(r.SinceRevision));
                FrameWriter.KeyList(writer, r.Prefixes);
                FrameWriter.Header(writer, FrameType.Subscribe, r.Id);
                break;
            case Unsubscribe r:
                FrameWriter.NonNegative(writer, r.SubscriptionId, nameof(r.SubscriptionId));
                FrameWriter.Header(writer, FrameType.Unsubscribe, r.Id);
                break;
            case Ping r:
                FrameWriter.Header(writer, FrameType.Ping, r.Id);
                break;
            case Pong r:
                FrameWriter.Header(writer, FrameType.Pong, r.Id);
                break;
            case Auth r:
                // Written whole (never cut like a reason): a server refuses a token over MaxAuthTokenBytes.
                FrameWriter.Bytes(writer, System.Text.Encoding.UTF8.GetBytes(r.Token));
                FrameWriter.Header(writer, FrameType.Auth, r.Id);
                break;
            default:
                throw new ArgumentException($"a client does not send {message.GetType().Name}", nameof(message));
        }
    }
}
