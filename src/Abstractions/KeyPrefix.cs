namespace MwgActors.Storage;

/// <summary>Helpers for prefix ranges in unsigned byte order.</summary>
public static class KeyPrefix
{
    /// <summary>
    /// The smallest key greater than every key that starts with <paramref name="prefix"/>, or <c>null</c>
    /// when there is none (the empty prefix, or a prefix of only 0xFF bytes): the exclusive upper bound of a scan.
    /// </summary>
    public static byte[]? UpperBound(ReadOnlySpan<byte> prefix)
    {
        var last = prefix.Length - 1;
        while (last >= 0 && prefix[last] == byte.MaxValue)
        {
            last--;
        }

        if (last < 0)
        {
            return null;
        }

        var bound = prefix[..(last + 1)].ToArray();
        bound[last]++;
        return bound;
    }
}
