using MwgActors.Storage.Mwdb;

namespace MwgActors.Protocol.Binary;

/// <summary>
/// Client side: decodes what a server sends, G1 frames and (in <see cref="Dialect.Extended"/>) the
/// extension types. A G1 get reply cannot say how many values it holds when the last ones are empty
/// (<c>##</c> is three values or four): the client pads with <see cref="GetResult"/> values to its key count,
/// see <see cref="PadValues"/>. Throws nothing but <see cref="ProtocolException"/>. Stateless and thread-safe.
/// </summary>
public sealed class BinaryClientDecoder
{
    private readonly ProtocolLimits _limits;
    private readonly bool _extended;

    public BinaryClientDecoder(Dialect dialect, ProtocolLimits? limits = null)
    {
        if (dialect == Dialect.Json)
        {
            throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "the binary codec speaks G1 or Extended");
        }

        _extended = dialect == Dialect.Extended;
        _limits = (limits ?? ProtocolLimits.Default).Validate();
    }

    /// <summary>A <see cref="Reply"/>, a <see cref="Push"/>, or a <see cref="Ping"/> from the server (extended only).</summary>
    public ProtocolMessage Decode(ReadOnlySpan<byte> frame)
    {
        var header = FrameHeader.Read(frame, _limits);
        header.RequireNotBare();
        var data = header.Data;
        switch (header.Type)
        {
            case FrameType.G1GetResult:
                {
                    var id = header.RequireId();
                    return new GetResult(id, G1Batch.ReadValues(data, _limits, id));
                }

            case FrameType.G1PutResultOrRemove:
                {
                    var id = header.RequireId();
                    return new PutResult(id, ReadG1Bool(data, id));
                }

            case FrameType.G1RemoveResult:
                {
                    var id = header.RequireId();
                    return new RemoveResult(id, ReadG1Bool(data, id));
                }

            case FrameType.G1Reload:
                header.RequireNoId();
                return new ReloadPairs(G1Batch.ReadPairs(data, _limits, RequestId.None));
            case FrameType.G1PrefixResult:
                {
                    var id = header.RequireId();
                    return MwdbBase64.TryDecodeInt(data, out var prefix)
                        ? new LockResult(id, prefix, null)
                        : throw new ProtocolException(ErrorCode.BadFrame, "the prefix must be an mwDB Base64 int", id);
                }
        }

        if (!_extended)
        {
            throw new ProtocolException(ErrorCode.UnknownType, "unknown frame type", header.OptionalId());
        }

        return DecodeExtended(header);
    }

    /// <summary>The G1 values padded with empty ones to <paramref name="keyCount"/>, the number of keys asked.</summary>
    public static GetResult PadValues(GetResult result, int keyCount)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Values.Count >= keyCount)
        {
            return result;
        }

        var values = new byte[]?[keyCount];
        for (var i = 0; i < keyCount; i++)
        {
            values[i] = i < result.Values.Count ? result.Values[i] : [];
        }

        return result with { Values = values };
    }

    private ProtocolMessage DecodeExtended(FrameHeader header)
    {
        var isPush = header.Type is FrameType.Hello or FrameType.Notify or FrameType.ReloadKeys or FrameType.ReloadAll or FrameType.TokenExpired;
        RequestId id;
        if (isPush)
        {
            header.RequireNoId();
            id = RequestId.None;
        }
        else
        {
            id = header.Type == FrameType.Error ? header.OptionalId() : header.RequireId();
        }

        var reader = new PayloadReader(header.Data, _limits, id);
        ProtocolMessage message = header.Type switch
        {
            FrameType.GetResult => new GetResult(id, ReadOptionalValues(ref reader)),
            FrameType.PutResult => new PutResult(id, reader.ReadBool(), reader.ReadOptionalLong()),
            FrameType.RemoveResult => new RemoveResult(id, reader.ReadBool(), reader.ReadOptionalLong()),
            FrameType.LockResult => new LockResult(id, reader.ReadInt(), reader.ReadToken()),
            FrameType.UnlockResult => new UnlockResult(id),
            FrameType.Subscribed => new Subscribed(id, reader.ReadLong(), reader.ReadLong()),
            FrameType.Unsubscribed => new Unsubscribed(id),
            FrameType.Ping => new Ping(id),
            FrameType.Pong => new Pong(id),
            FrameType.Error => new Error(id, (ErrorCode)reader.ReadInt(), reader.ReadText(ProtocolLimits.MaxReasonBytes)),
            FrameType.Notify => ReadNotification(ref reader),
            FrameType.ReloadKeys => new ReloadKeys(reader.ReadOptionalLong(), BinaryServerDecoder.ReadKeys(ref reader), BinaryServerDecoder.ReadKeys(ref reader)),
            FrameType.ReloadAll => new ReloadAll(reader.ReadLong()),
            FrameType.Hello => ReadHello(ref reader),
            FrameType.TokenExpired => new TokenExpired(),
            FrameType.AuthResult => new AuthResult(id, reader.ReadText(ProtocolLimits.MaxSubjectBytes), reader.ReadOptionalLong()),
            _ => throw new ProtocolException(ErrorCode.UnknownType, "unknown frame type", id),
        };
        reader.End();
        return message;
    }

    private static bool ReadG1Bool(ReadOnlySpan<byte> data, RequestId id) => data switch
    {
        [1] => true,
        [0] => false,
        _ => throw new ProtocolException(ErrorCode.BadFrame, "a G1 boolean reply is one byte, 0 or 1", id),
    };

    private static byte[]?[] ReadOptionalValues(ref PayloadReader reader)
    {
        var values = new byte[]?[reader.ReadCount()];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadOptionalValue();
        }

        return values;
    }

    private static ChangeNotification ReadNotification(ref PayloadReader reader)
    {
        var subscription = reader.ReadLong();
        var revision = reader.ReadLong();
        var changes = new Change[reader.ReadCount(minBytesEach: 2)];
        for (var i = 0; i < changes.Length; i++)
        {
            var kind = reader.ReadByte();
            var key = reader.ReadKey();
            changes[i] = kind switch
            {
                ChangeKind.Written => new Change(key, false, null),
                ChangeKind.WrittenWithValue => new Change(key, false, reader.ReadValue()),
                ChangeKind.Removed => new Change(key, true, null),
                _ => throw reader.Bad("unknown change kind"),
            };
        }

        return new ChangeNotification(subscription, revision, changes);
    }

    private static Hello ReadHello(ref PayloadReader reader)
    {
        var version = reader.ReadInt();
        var serverId = reader.ReadText(ProtocolLimits.MaxReasonBytes);
        var limits = new ProtocolLimits(
            Positive(ref reader), Positive(ref reader), Positive(ref reader), Positive(ref reader), Positive(ref reader));

        // The prefix limits came later: a hello without them is an older server's, which had the defaults' room at
        // least. Limits a later server appends after these are skipped, so this client keeps decoding its hello.
        if (reader.HasMore)
        {
            limits = limits with { MaxPrefixesPerSubscription = Positive(ref reader), MaxPrefixBytesPerConnection = Positive(ref reader) };
        }

        reader.SkipRest();
        return new Hello(version, serverId, limits);
    }

    private static int Positive(ref PayloadReader reader)
    {
        var value = reader.ReadInt();
        return value > 0 ? value : throw reader.Bad("a limit must be positive");
    }
}
