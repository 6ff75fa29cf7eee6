namespace MwgActors.Protocol.Binary;

/// <summary>
/// mwDB Base64 for ints (mwdb-g1.md section 2), the little the codec needs: ids are checked against the
/// alphabet and copied verbatim, only the prefix reply is a number.
/// </summary>
internal static class G1Int
{
    public const int MaxLength = 6;

    private static ReadOnlySpan<byte> Alphabet => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;

    public static bool IsAlphabet(byte c) => IndexOf(c) >= 0;

    public static int Encode(int value, Span<byte> destination)
    {
        var magnitude = value < 0 ? (uint)-(long)value : (uint)value;
        var length = 0;
        for (var offset = 29; offset >= 5; offset -= 6)
        {
            var group = (int)((magnitude >> offset) & 63);
            if (length > 0 || group != 0)
            {
                destination[length++] = Alphabet[group];
            }
        }

        destination[length++] = Alphabet[(int)((magnitude & 31) << 1) | (value < 0 ? 1 : 0)];
        return length;
    }

    public static bool TryDecode(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        var last = IndexOf(text[^1]);
        if (last < 0)
        {
            return false;
        }

        long magnitude = last >> 1;
        for (var i = 1; i < text.Length; i++)
        {
            var digit = IndexOf(text[text.Length - 1 - i]);
            if (digit < 0)
            {
                return false;
            }

            magnitude += (long)digit << ((6 * i) - 1);
        }

        var signed = (last & 1) == 1 ? -magnitude : magnitude;
        if (signed is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)signed;
        return true;
    }

    private static int IndexOf(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => -1,
    };
}
