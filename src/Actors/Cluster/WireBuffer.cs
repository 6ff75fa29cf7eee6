using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;

namespace MwgActors.Actors.Cluster;

/// <summary>A growable buffer for <see cref="ClusterMessageSerializer"/>: little-endian integers, length-prefixed bytes.</summary>
internal sealed class WireWriter
{
    private byte[] _buffer;
    private int _length;

    public WireWriter(int capacity = 64) => _buffer = new byte[capacity];

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);
    }

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);
    }

    public void Bool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void Bytes(byte[] bytes)
    {
        Int32(bytes.Length);
        bytes.CopyTo(Take(bytes.Length));
    }

    /// <summary>Length -1 for null.</summary>
    public void NullableBytes(byte[]? bytes)
    {
        if (bytes is null)
        {
            Int32(-1);
        }
        else
        {
            Bytes(bytes);
        }
    }

    public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private Span<byte> Take(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}

/// <summary>Reads what <see cref="WireWriter"/> wrote; a truncated or corrupt message throws <see cref="SerializationException"/>.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _offset;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _offset = 0;
    }

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public bool Bool() => Take(1)[0] switch
    {
        0 => false,
        1 => true,
        _ => throw new SerializationException("corrupt cluster message: bad bool"),
    };

    public byte[] Bytes() => NullableBytes() ?? throw new SerializationException("corrupt cluster message: unexpected null");

    public byte[]? NullableBytes()
    {
        var length = Int32();
        return length == -1 ? null : Take(length).ToArray();
    }

    public string String() => Encoding.UTF8.GetString(Bytes());

    /// <summary>A count of items that each take at least <paramref name="minItemBytes"/>: checked against what is left.</summary>
    public int Count(int minItemBytes)
    {
        var count = Int32();
        return count >= 0 && (long)count * minItemBytes <= _bytes.Length - _offset
            ? count
            : throw new SerializationException("corrupt cluster message: bad count");
    }

    public readonly void End()
    {
        if (_offset != _bytes.Length)
        {
            throw new SerializationException("corrupt cluster message: trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _bytes.Length - _offset)
        {
            throw new SerializationException("truncated cluster message");
        }

        var span = _bytes.Slice(_offset, count);
        _offset += count;
        return span;
    }
}
