namespace MwgActors.Protocol.Binary;

/// <summary>
/// Reads the length-prefixed payload of extension frames: unsigned LEB128 varints and byte strings
/// (varint length, then the bytes). Every length and count is checked against the limits and against the
/// bytes left before anything is allocated.
/// </summary>
internal ref struct PayloadReader
{
    private const int MaxTokenBytes = 256;

    private readonly ReadOnlySpan<byte> _data;
    private readonly ProtocolLimits _limits;
    private readonly RequestId _id;
    private int _position;

    public PayloadReader(ReadOnlySpan<byte> data, ProtocolLimits limits, RequestId id)
    {
        _data = data;
        _limits = limits;
        _id = id;
        _position = 0;
    }

    private readonly int Remaining => _data.Length - _position;

    /// <summary>Whether payload bytes are left (an optional trailing field).</summary>
    public readonly bool HasMore => _position < _data.Length;

    public ulong ReadVarUInt()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Bad("truncated number");
            }

            var b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                throw Bad("number overflows 64 bits");
            }

            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                // Canonical form only: a last byte of zero after others is an overlong encoding.
                if (b == 0 && shift > 0)
                {
                    throw Bad("overlong number");
                }

                return result;
            }
        }

        throw Bad("number overflows 64 bits");
    }

    public long ReadLong()
    {
        var value = ReadVarUInt();
        return value <= long.MaxValue ? (long)value : throw Bad("number out of range");
    }

    /// <summary>An optional non-negative long: 0 for absent, else the value plus one.</summary>
    public long? ReadOptionalLong()
    {
        var value = ReadVarUInt();
        return value == 0 ? null : value - 1 <= long.MaxValue ? (long)(value - 1) : throw Bad("number out of range");
    }

    public int ReadInt()
    {
        var value = ReadVarUInt();
        return value <= int.MaxValue ? (int)value : throw Bad("number out of range");
    }

    public byte ReadByte() => _position < _data.Length ? _data[_position++] : throw Bad("truncated frame");

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        _ => throw Bad("a flag must be 0 or 1"),
    };

    /// <summary>A count of elements of at least <paramref name="minBytesEach"/> bytes each, within the batch limit.</summary>
    public int ReadCount(int minBytesEach = 1)
    {
        var count = ReadVarUInt();
        if (count > (ulong)_limits.MaxKeysPerBatch)
        {
            throw new ProtocolException(ErrorCode.TooManyKeys, "too many keys in one batch", _id);
        }

        return count * (ulong)minBytesEach <= (ulong)Remaining ? (int)count : throw Bad("count exceeds the frame");
    }

    /// <summary>
    /// The prefixes of a subscribe: at most <see cref="ProtocolLimits.MaxPrefixesPerSubscription"/>, together at
    /// most <see cref="ProtocolLimits.MaxPrefixBytesPerConnection"/> bytes; refused before the first one is allocated
    /// (the count) or before the one that crosses the byte bound.
    /// </summary>
    public byte[][] ReadPrefixes()
    {
        var count = ReadVarUInt();
        if (count > (ulong)_limits.MaxPrefixesPerSubscription)
        {
            throw new ProtocolException(ErrorCode.TooManyPrefixes, "too many prefixes in one subscription", _id);
        }

        if (count > (ulong)Remaining)
        {
            throw Bad("count exceeds the frame");
        }

        var prefixes = new byte[(int)count][];
        long bytes = 0;
        for (var i = 0; i < prefixes.Length; i++)
        {
            var prefix = ReadSpan(_limits.MaxKeyBytes, ErrorCode.KeyTooLarge); // a view of the frame, not a copy yet
            bytes += prefix.Length;
            if (bytes > _limits.MaxPrefixBytesPerConnection)
            {
                throw new ProtocolException(ErrorCode.TooManyPrefixes, "the prefixes exceed the connection's prefix bytes", _id);
            }

            prefixes[i] = prefix.ToArray();
        }

        return prefixes;
    }

    public byte[] ReadKey() => ReadBytes(_limits.MaxKeyBytes, ErrorCode.KeyTooLarge);

    public byte[] ReadValue() => ReadBytes(_limits.MaxValueBytes, ErrorCode.ValueTooLarge);

    public byte[] ReadToken() => ReadBytes(MaxTokenBytes, ErrorCode.BadFrame);

    public string ReadText(int maxBytes) => System.Text.Encoding.UTF8.GetString(ReadSpan(maxBytes, ErrorCode.BadFrame));

    /// <summary>An optional value: varint 0 for absent, else length plus one, then the bytes.</summary>
    public byte[]? ReadOptionalValue()
    {
        var header = ReadVarUInt();
        if (header == 0)
        {
            return null;
        }

        return TakeBytes(header - 1, _limits.MaxValueBytes, ErrorCode.ValueTooLarge).ToArray();
    }

    /// <summary>Skips what is left (fields a later version appends to a push this reader knows the start of).</summary>
    public void SkipRest() => _position = _data.Length;

    public readonly void End()
    {
        if (_position != _data.Length)
        {
            throw Bad("trailing bytes after the payload");
        }
    }

    public readonly ProtocolException Bad(string reason) => new(ErrorCode.BadFrame, reason, _id);

    private byte[] ReadBytes(int max, ErrorCode tooLarge) => ReadSpan(max, tooLarge).ToArray();

    private ReadOnlySpan<byte> ReadSpan(int max, ErrorCode tooLarge) => TakeBytes(ReadVarUInt(), max, tooLarge);

    private ReadOnlySpan<byte> TakeBytes(ulong length, int max, ErrorCode tooLarge)
    {
        if (length > (ulong)max)
        {
            throw new ProtocolException(tooLarge, tooLarge == ErrorCode.BadFrame ? "field too long" : "key or value exceeds its size limit", _id);
        }

        if (length > (ulong)Remaining)
        {
            throw Bad("length exceeds the frame");
        }

        var span = _data.Slice(_position, (int)length);
        _position += (int)length;
        return span;
    }
}
