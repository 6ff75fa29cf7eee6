using System.Buffers;

namespace MwgActors.Storage.Mwdb;

/// <summary>
/// mwDB's Base64 for integers (not RFC 4648): the most significant 6-bit groups first with leading zero
/// groups skipped, and a last character that holds the 5 low bits and the sign. Used for G1 message ids and
/// prefixes. See shared/protocol/mwdb-g1.md section 2.
/// </summary>
/// <remarks>
/// Supported ranges: every <see cref="int"/>; longs with a magnitude up to 2^53 - 1 (mwDB keeps bits 0..52,
/// so 2^53 - 1 is its NULL and ±(2^53 - 2) its END_OF_TIME and BEGINNING_OF_TIME).
/// </remarks>
public static class MwdbBase64
{
    /// <summary>Largest magnitude a long may have: 2^53 - 1.</summary>
    public const long MaxLongMagnitude = (1L << 53) - 1;

    /// <summary>Longest encoding of an int: 5 groups and the sign character.</summary>
    public const int MaxIntLength = 6;

    /// <summary>Longest encoding of a long: 8 groups and the sign character.</summary>
    public const int MaxLongLength = 9;

    private static ReadOnlySpan<byte> Alphabet => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8;

    public static byte[] EncodeInt(int value)
    {
        Span<byte> buffer = stackalloc byte[MaxIntLength];
        return buffer[..EncodeInt(value, buffer)].ToArray();
    }

    /// <summary>Writes <paramref name="value"/> into <paramref name="destination"/> (at least 6 bytes) and returns the length.</summary>
    public static int EncodeInt(int value, Span<byte> destination) => Encode(value, highestOffset: 29, destination);

    public static byte[] EncodeLong(long value)
    {
        Span<byte> buffer = stackalloc byte[MaxLongLength];
        return buffer[..EncodeLong(value, buffer)].ToArray();
    }

    /// <summary>Writes <paramref name="value"/> into <paramref name="destination"/> (at least 9 bytes) and returns the length.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The magnitude exceeds 2^53 - 1.</exception>
    public static int EncodeLong(long value, Span<byte> destination)
    {
        if (value is > MaxLongMagnitude or < -MaxLongMagnitude)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "mwDB longs keep 53 bits: the magnitude must not exceed 2^53 - 1");
        }

        return Encode(value, highestOffset: 47, destination);
    }

    public static void EncodeLong(long value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(MaxLongLength);
        writer.Advance(EncodeLong(value, span));
    }

    public static int DecodeInt(ReadOnlySpan<byte> text)
    {
        var value = Decode(text, MaxIntLength);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new MwdbFormatException("the value does not fit in a 32-bit int", -1);
    }

    public static long DecodeLong(ReadOnlySpan<byte> text) => Decode(text, MaxLongLength);

    /// <summary>Decodes without throwing; false for any text <see cref="DecodeInt"/> would reject.</summary>
    public static bool TryDecodeInt(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (!TryDecode(text, MaxIntLength, out var wide, out _) || wide is < int.MinValue or > int.MaxValue)
        {
            return false;
        }

        value = (int)wide;
        return true;
    }

    public static bool TryDecodeLong(ReadOnlySpan<byte> text, out long value) =>
        TryDecode(text, MaxLongLength, out value, out _);

    private static int Encode(long value, int highestOffset, Span<byte> destination)
    {
        // Magnitude in unsigned arithmetic so that int.MinValue (2^31) is representable.
        var magnitude = value < 0 ? (ulong)(-value) : (ulong)value;
        var length = 0;
        for (var offset = highestOffset; offset >= 5; offset -= 6)
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

    private static long Decode(ReadOnlySpan<byte> text, int maxLength) =>
        TryDecode(text, maxLength, out var value, out var error) ? value : throw error!;

    private static bool TryDecode(ReadOnlySpan<byte> text, int maxLength, out long value, out MwdbFormatException? error)
    {
        value = 0;
        error = null;
        if (text.IsEmpty)
        {
            error = new MwdbFormatException("an mwDB Base64 number has at least one character", -1);
            return false;
        }

        if (text.Length > maxLength)
        {
            error = new MwdbFormatException($"an mwDB Base64 number of this type has at most {maxLength} characters", maxLength);
            return false;
        }

        var last = IndexOf(text[^1]);
        if (last < 0)
        {
            error = new MwdbFormatException("character outside the mwDB Base64 alphabet", text.Length - 1);
            return false;
        }

        long magnitude = last >> 1;
        for (var i = 1; i < text.Length; i++)
        {
            var position = text.Length - 1 - i;
            var digit = IndexOf(text[position]);
            if (digit < 0)
            {
                error = new MwdbFormatException("character outside the mwDB Base64 alphabet", position);
                return false;
            }

            magnitude += (long)digit << ((6 * i) - 1);
        }

        value = (last & 1) == 1 ? -magnitude : magnitude;
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
