namespace MwgActors.Protocol.Binary;

/// <summary>
/// Server side: decodes what a client sends. In <see cref="Dialect.G1"/> only the original request types
/// (0 get, 2 put, 3 remove, 6 prefix) are accepted; <see cref="Dialect.Extended"/> adds the extension
/// types. Throws nothing but <see cref="ProtocolException"/>. Stateless and thread-safe.
/// </summary>
public sealed class BinaryServerDecoder
{
    private readonly ProtocolLimits _limits;
    private readonly bool _extended;

    public BinaryServerDecoder(Dialect dialect, ProtocolLimits? limits = null)
    {
        if (dialect == Dialect.Json)
        {
            throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "the binary codec speaks G1 or Extended");
        }

        _extended = dialect == Dialect.Extended;
        _limits = (limits ?? ProtocolLimits.Default).Validate();
    }

    /// <summary>A <see cref="Request"/>, or a <see cref="Pong"/> answering a server ping (extended only).</summary>
    public ProtocolMessage Decode(ReadOnlySpan<byte> frame)
    {
        var header = FrameHeader.Read(frame, _limits);
        if (header.IsBare)
        {
            // G1's prefix request is the whole frame 06 ID, with no data and no '#'.
            return header.Type == FrameType.G1Prefix
                ? new Lock(header.RequireId())
                : throw new ProtocolException(ErrorCode.BadFrame, "frame has no '#' header");
        }

        var id = header.RequireId();
        var data = header.Data;
        switch (header.Type)
        {
            case FrameType.G1Get:
                return new Get(id, G1Batch.ReadKeys(data, _limits, id, header.Type));
            case FrameType.G1Put:
                return new Put(id, G1Batch.ReadPairs(data, _limits, id, header.Type));
            case FrameType.G1PutResultOrRemove:
                return new Remove(id, G1Batch.ReadKeys(data, _limits, id, header.Type));
            case FrameType.G1Prefix:
                throw new ProtocolException(ErrorCode.BadFrame, "a prefix request is the bare frame 06 ID", id);
        }

        if (!_extended)
        {
            throw new ProtocolException(ErrorCode.UnknownType, "unknown frame type", id);
        }

        var reader = new PayloadReader(data, _limits, id);
        ProtocolMessage message = header.Type switch
        {
            FrameType.Get => new Get(id, ReadKeys(ref reader), reader.HasMore ? reader.ReadLong() : 0),
            FrameType.Put => new Put(id, ReadPairs(ref reader)),
            FrameType.Remove => new Remove(id, ReadKeys(ref reader)),
            FrameType.Lock => new Lock(id, data.IsEmpty ? null : new LeaseClaim(reader.ReadInt(), reader.ReadToken())),
            FrameType.Unlock => new Unlock(id, reader.ReadInt(), reader.ReadToken()),
            FrameType.Subscribe => ReadSubscribe(ref reader, id),
            FrameType.Unsubscribe => new Unsubscribe(id, reader.ReadLong()),
            FrameType.Ping => new Ping(id),
            FrameType.Pong => new Pong(id),
            FrameType.Auth => new Auth(id, reader.ReadText(ProtocolLimits.MaxAuthTokenBytes)),
            _ => throw new ProtocolException(ErrorCode.UnknownType, "unknown frame type", id),
        };
        reader.End();
        return message;
    }

    internal static byte[][] ReadKeys(ref PayloadReader reader)
    {
        var keys = new byte[reader.ReadCount()][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = reader.ReadKey();
        }

        return keys;
    }

    private static KeyValue[] ReadPairs(ref PayloadReader reader)
    {
        var pairs = new KeyValue[reader.ReadCount(minBytesEach: 2)];
        for (var i = 0; i < pairs.Length; i++)
        {
            var key = reader.ReadKey();
            pairs[i] = new KeyValue(key, reader.ReadValue());
        }

        return pairs;
    }

    private static Subscribe ReadSubscribe(ref PayloadReader reader, RequestId id)
    {
        var includeValues = reader.ReadBool();
        var since = reader.ReadOptionalLong();
        return new Subscribe(id, reader.ReadPrefixes(), since, includeValues);
    }
}
