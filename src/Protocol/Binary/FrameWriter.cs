using System.Buffers;
using System.Text;

namespace MwgActors.Protocol.Binary;

/// <summary>Writes frame parts straight into the caller's buffer writer.</summary>
internal static class FrameWriter
{
    public static void Raw(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    public static void Byte(IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void VarUInt(IBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        writer.Advance(n);
    }

    public static void NonNegative(IBufferWriter<byte> writer, long value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, name);
        VarUInt(writer, (ulong)value);
    }

    /// <summary>0 for absent, else the value plus one.</summary>
    public static void OptionalNonNegative(IBufferWriter<byte> writer, long? value, string name)
    {
        if (value is { } v)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(v, name);
            VarUInt(writer, (ulong)v + 1);
        }
        else
        {
            VarUInt(writer, 0);
        }
    }

    public static void Bytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        VarUInt(writer, (ulong)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>0 for absent, else length plus one, then the bytes.</summary>
    public static void OptionalBytes(IBufferWriter<byte> writer, byte[]? bytes)
    {
        if (bytes is null)
        {
            VarUInt(writer, 0);
            return;
        }

        VarUInt(writer, (ulong)bytes.Length + 1);
        writer.Write(bytes);
    }

    /// <summary>UTF-8 text cut to at most <paramref name="maxBytes"/> bytes on a character boundary.</summary>
    public static void Text(IBufferWriter<byte> writer, string text, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var length = Math.Min(bytes.Length, maxBytes);
        while (length > 0 && length < bytes.Length && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        Bytes(writer, bytes.AsSpan(0, length));
    }

    /// <summary>The suffix header <c># TYPE ID</c>.</summary>
    public static void Header(IBufferWriter<byte> writer, byte type, RequestId id)
    {
        var idBytes = id.Bytes;
        var span = writer.GetSpan(2 + idBytes.Length);
        span[0] = FrameType.Separator;
        span[1] = type;
        idBytes.CopyTo(span[2..]);
        writer.Advance(2 + idBytes.Length);
    }

    /// <summary>G1 batch: elements joined by <c>#</c>; none may contain <c>#</c>.</summary>
    public static void G1Join(IBufferWriter<byte> writer, IReadOnlyList<byte[]?> elements, RequestId id)
    {
        // Check first, so a refused message leaves nothing half-written.
        for (var i = 0; i < elements.Count; i++)
        {
            G1Batch.CheckNoSeparator(elements[i], id);
        }

        for (var i = 0; i < elements.Count; i++)
        {
            if (i > 0)
            {
                Byte(writer, FrameType.Separator);
            }

            writer.Write(elements[i]);
        }
    }

    public static void G1JoinPairs(IBufferWriter<byte> writer, IReadOnlyList<KeyValue> pairs, RequestId id)
    {
        for (var i = 0; i < pairs.Count; i++)
        {
            G1Batch.CheckNoSeparator(pairs[i].Key, id);
            G1Batch.CheckNoSeparator(pairs[i].Value, id);
        }

        for (var i = 0; i < pairs.Count; i++)
        {
            if (i > 0)
            {
                Byte(writer, FrameType.Separator);
            }

            writer.Write(pairs[i].Key);
            Byte(writer, FrameType.Separator);
            writer.Write(pairs[i].Value);
        }
    }

    public static void KeyList(IBufferWriter<byte> writer, IReadOnlyList<byte[]> keys)
    {
        VarUInt(writer, (ulong)keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Bytes(writer, keys[i]);
        }
    }
}
