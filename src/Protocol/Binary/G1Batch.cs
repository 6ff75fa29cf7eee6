using MwgActors.Storage.Mwdb;

namespace MwgActors.Protocol.Binary;

/// <summary>
/// G1's <c>#</c>-joined batches (mwdb-g1.md section 1): a trailing <c>#</c> adds no element, <c>##</c>
/// inside gives an empty one. Counts first, checks the limits, then copies each element once. A limit refusal
/// carries the request's id and frame type, so the server can answer a G1 put or remove <c>false</c>.
/// </summary>
internal static class G1Batch
{
    public static byte[][] ReadKeys(ReadOnlySpan<byte> data, ProtocolLimits limits, RequestId id, byte? type = null)
    {
        var count = MwdbBatch.Count(data);
        CheckCount(count, limits, id, type);
        var keys = new byte[count][];
        var i = 0;
        while (i < count)
        {
            var element = Next(ref data);
            if (element.Length > limits.MaxKeyBytes)
            {
                throw new ProtocolException(ErrorCode.KeyTooLarge, "key exceeds its size limit", id, type);
            }

            keys[i++] = element.ToArray();
        }

        return keys;
    }

    /// <summary>
    /// Pairs <c>k1#v1#...#kn#vn</c>. An odd count is a last pair whose empty value the trailing-<c>#</c>
    /// rule swallowed (<c>k#</c> is key k, empty value), provided the data ends with <c>#</c>.
    /// </summary>
    public static KeyValue[] ReadPairs(ReadOnlySpan<byte> data, ProtocolLimits limits, RequestId id, byte? type = null)
    {
        var elements = MwdbBatch.Count(data);
        if (elements % 2 == 1 && data[^1] != FrameType.Separator)
        {
            throw new ProtocolException(ErrorCode.BadFrame, "a key has no value", id);
        }

        var count = (elements + 1) / 2;
        CheckCount(count, limits, id, type);
        var pairs = new KeyValue[count];
        for (var i = 0; i < count; i++)
        {
            var key = Next(ref data);
            if (key.Length > limits.MaxKeyBytes)
            {
                throw new ProtocolException(ErrorCode.KeyTooLarge, "key exceeds its size limit", id, type);
            }

            var keyBytes = key.ToArray();
            var value = Next(ref data);
            if (value.Length > limits.MaxValueBytes)
            {
                throw new ProtocolException(ErrorCode.ValueTooLarge, "value exceeds its size limit", id, type);
            }

            pairs[i] = new KeyValue(keyBytes, value.ToArray());
        }

        return pairs;
    }

    /// <summary>Values of a get reply; the client pads to its key count (G1 loses trailing empty values).</summary>
    public static byte[]?[] ReadValues(ReadOnlySpan<byte> data, ProtocolLimits limits, RequestId id)
    {
        var count = MwdbBatch.Count(data);
        CheckCount(count, limits, id, null);
        var values = new byte[]?[count];
        for (var i = 0; i < count; i++)
        {
            var value = Next(ref data);
            if (value.Length > limits.MaxValueBytes)
            {
                throw new ProtocolException(ErrorCode.ValueTooLarge, "value exceeds its size limit", id);
            }

            values[i] = value.ToArray();
        }

        return values;
    }

    public static void CheckNoSeparator(ReadOnlySpan<byte> element, RequestId id)
    {
        if (element.Contains(FrameType.Separator))
        {
            throw new ProtocolException(ErrorCode.NotRepresentable, "a G1 key or value cannot contain '#'", id);
        }
    }

    private static void CheckCount(int count, ProtocolLimits limits, RequestId id, byte? type)
    {
        if (count > limits.MaxKeysPerBatch)
        {
            throw new ProtocolException(ErrorCode.TooManyKeys, "too many keys in one batch", id, type);
        }
    }

    /// <summary>The next element; past the end (the swallowed last value) it is empty.</summary>
    private static ReadOnlySpan<byte> Next(ref ReadOnlySpan<byte> data)
    {
        var separator = data.IndexOf(FrameType.Separator);
        if (separator < 0)
        {
            var last = data;
            data = [];
            return last;
        }

        var element = data[..separator];
        data = data[(separator + 1)..];
        return element;
    }
}
