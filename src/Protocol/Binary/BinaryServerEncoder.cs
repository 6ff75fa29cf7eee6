using System.Buffers;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Protocol.Binary;

/// <summary>
/// Server side: writes replies and pushes. <see cref="Dialect.G1"/> writes only what an original client
/// knows (get, put, remove and prefix replies, the type 5 reload); anything else, or a key or value with
/// <c>#</c>, is a <see cref="ProtocolException"/> with <see cref="ErrorCode.NotRepresentable"/> and nothing
/// written. <see cref="Dialect.Extended"/> answers every request with the extension reply types, which carry
/// revisions, lease tokens, missing values and any byte. Stateless and thread-safe.
/// </summary>
public sealed class BinaryServerEncoder
{
    private readonly bool _extended;

    public BinaryServerEncoder(Dialect dialect)
    {
        if (dialect == Dialect.Json)
        {
            throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "the binary codec speaks G1 or Extended");
        }

        _extended = dialect == Dialect.Extended;
    }

    public void Encode(ProtocolMessage message, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(writer);
        if (_extended)
        {
            EncodeExtended(message, writer);
        }
        else
        {
            EncodeG1(message, writer);
        }
    }

    public byte[] Encode(ProtocolMessage message)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        Encode(message, writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void EncodeG1(ProtocolMessage message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case GetResult r:
                FrameWriter.G1Join(writer, r.Values, r.Id);
                FrameWriter.Header(writer, FrameType.G1GetResult, r.Id);
                break;
            case PutResult r:
                FrameWriter.Byte(writer, r.Ok ? (byte)1 : (byte)0);
                FrameWriter.Header(writer, FrameType.G1PutResultOrRemove, r.Id);
                break;
            case RemoveResult r:
                FrameWriter.Byte(writer, r.Ok ? (byte)1 : (byte)0);
                FrameWriter.Header(writer, FrameType.G1RemoveResult, r.Id);
                break;
            case LockResult r:
                Span<byte> prefix = stackalloc byte[MwdbBase64.MaxIntLength];
                FrameWriter.Raw(writer, prefix[..MwdbBase64.EncodeInt(r.Prefix, prefix)]);
                FrameWriter.Header(writer, FrameType.G1PrefixResult, r.Id);
                break;
            case ReloadPairs p:
                FrameWriter.G1JoinPairs(writer, p.Pairs, RequestId.None);
                FrameWriter.Header(writer, FrameType.G1Reload, RequestId.None);
                break;
            default:
                throw new ProtocolException(ErrorCode.NotRepresentable, "a G1 client has no frame for this message", (message as Reply)?.Id ?? RequestId.None);
        }
    }

    private static void EncodeExtended(ProtocolMessage message, IBufferWriter<byte> writer)
    {
        switch (message)
        {
            case GetResult r:
                FrameWriter.VarUInt(writer, (ulong)r.Values.Count);
                for (var i = 0; i < r.Values.Count; i++)
                {
                    FrameWriter.OptionalBytes(writer, r.Values[i]);
                }

                FrameWriter.Header(writer, FrameType.GetResult, r.Id);
                break;
            case PutResult r:
                FrameWriter.Byte(writer, r.Ok ? (byte)1 : (byte)0);
                FrameWriter.OptionalNonNegative(writer, r.Revision, nameof(r.Revision));
                FrameWriter.Header(writer, FrameType.PutResult, r.Id);
                break;
            case RemoveResult r:
                FrameWriter.Byte(writer, r.Ok ? (byte)1 : (byte)0);
                FrameWriter.OptionalNonNegative(writer, r.Revision, nameof(r.Revision));
                FrameWriter.Header(writer, FrameType.RemoveResult, r.Id);
                break;
            case LockResult r:
                FrameWriter.NonNegative(writer, r.Prefix, nameof(r.Prefix));
                FrameWriter.Bytes(writer, r.LeaseToken);
                FrameWriter.Header(writer, FrameType.LockResult, r.Id);
                break;
            case UnlockResult r:
                FrameWriter.Header(writer, FrameType.UnlockResult, r.Id);
                break;
            case Subscribed r:
                FrameWriter.NonNegative(writer, r.SubscriptionId, nameof(r.SubscriptionId));
                FrameWriter.NonNegative(writer, r.CurrentRevision, nameof(r.CurrentRevision));
                FrameWriter.Header(writer, FrameType.Subscribed, r.Id);
                break;
            case Unsubscribed r:
                FrameWriter.Header(writer, FrameType.Unsubscribed, r.Id);
                break;
            case Pong r:
                FrameWriter.Header(writer, FrameType.Pong, r.Id);
                break;
            case Ping r:
                FrameWriter.Header(writer, FrameType.Ping, r.Id);
                break;
            case AuthResult r:
                FrameWriter.Text(writer, r.Subject, ProtocolLimits.MaxSubjectBytes);
                FrameWriter.OptionalNonNegative(writer, r.ExpiresAtUnixMs, nameof(r.ExpiresAtUnixMs));
                FrameWriter.Header(writer, FrameType.AuthResult, r.Id);
                break;
            case Error r:
                FrameWriter.VarUInt(writer, (ulong)(uint)r.Code);
                FrameWriter.Text(writer, r.Reason, ProtocolLimits.MaxReasonBytes);
                FrameWriter.Header(writer, FrameType.Error, r.Id);
                break;
            case ChangeNotification n:
                WriteNotification(writer, n);
                break;
            case ReloadPairs p:
                // Kept exactly as G1's type 5.
                FrameWriter.G1JoinPairs(writer, p.Pairs, RequestId.None);
                FrameWriter.Header(writer, FrameType.G1Reload, RequestId.None);
                break;
            case ReloadKeys p:
                FrameWriter.OptionalNonNegative(writer, p.SubscriptionId, nameof(p.SubscriptionId));
                FrameWriter.KeyList(writer, p.Keys);
                FrameWriter.KeyList(writer, p.Prefixes);
                FrameWriter.Header(writer, FrameType.ReloadKeys, RequestId.None);
                break;
            case ReloadAll p:
                FrameWriter.NonNegative(writer, p.SubscriptionId, nameof(p.SubscriptionId));
                FrameWriter.Header(writer, FrameType.ReloadAll, RequestId.None);
                break;
            case TokenExpired:
                FrameWriter.Header(writer, FrameType.TokenExpired, RequestId.None);
                break;
            case Hello h:
                WriteHello(writer, h);
                break;
            default:
                throw new ArgumentException($"the server does not send {message.GetType().Name}", nameof(message));
        }
    }

    private static void WriteNotification(IBufferWriter<byte> writer, ChangeNotification n)
    {
        FrameWriter.NonNegative(writer, n.SubscriptionId, nameof(n.SubscriptionId));
        FrameWriter.NonNegative(writer, n.Revision, nameof(n.Revision));
        FrameWriter.VarUInt(writer, (ulong)n.Changes.Count);
        for (var i = 0; i < n.Changes.Count; i++)
        {
            var change = n.Changes[i];
            var kind = change.Removed ? ChangeKind.Removed : change.Value is null ? ChangeKind.Written : ChangeKind.WrittenWithValue;
            FrameWriter.Byte(writer, kind);
            FrameWriter.Bytes(writer, change.Key);
            if (kind == ChangeKind.WrittenWithValue)
            {
                FrameWriter.Bytes(writer, change.Value);
            }
        }

        FrameWriter.Header(writer, FrameType.Notify, RequestId.None);
    }

    private static void WriteHello(IBufferWriter<byte> writer, Hello h)
    {
        FrameWriter.NonNegative(writer, h.Version, nameof(h.Version));
        FrameWriter.Text(writer, h.ServerId, ProtocolLimits.MaxReasonBytes);
        FrameWriter.NonNegative(writer, h.Limits.MaxFrameBytes, nameof(h.Limits));
        FrameWriter.NonNegative(writer, h.Limits.MaxKeysPerBatch, nameof(h.Limits));
        FrameWriter.NonNegative(writer, h.Limits.MaxKeyBytes, nameof(h.Limits));
        FrameWriter.NonNegative(writer, h.Limits.MaxValueBytes, nameof(h.Limits));
        FrameWriter.NonNegative(writer, h.Limits.MaxSubscriptionsPerConnection, nameof(h.Limits));
        FrameWriter.NonNegative(writer, h.Limits.MaxPrefixesPerSubscription, nameof(h.Limits));
        FrameWriter.NonNegative(writer, h.Limits.MaxPrefixBytesPerConnection, nameof(h.Limits));
        FrameWriter.Header(writer, FrameType.Hello, RequestId.None);
    }
}

/// <summary>The kind byte of each change in a notification frame.</summary>
internal static class ChangeKind
{
    public const byte Written = 0;
    public const byte WrittenWithValue = 1;
    public const byte Removed = 2;
}
