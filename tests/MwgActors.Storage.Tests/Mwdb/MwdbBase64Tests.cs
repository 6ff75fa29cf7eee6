using System.Text;
using CsCheck;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Storage.Tests.Mwdb;

public sealed class MwdbBase64Tests
{
    // Every row of the table in shared/protocol/mwdb-g1.md section 2.
    public static TheoryData<long, string> Table => new()
    {
        { 0, "A" },
        { 1, "C" },
        { -1, "D" },
        { 2, "E" },
        { 31, "+" },
        { 32, "BA" },
        { 64, "CA" },
        { 1000, "fQ" },
        { -1000, "fR" },
        { 12345, "GBy" },
        { 65535, "f/+" },
        { 1000000, "HoSA" },
        { int.MaxValue, "D////+" },
        { (1L << 37) + 1, "EAAAAAC" },
        { (1L << 53) - 1, "////////+" },
        { (1L << 53) - 2, "////////8" },
        { -((1L << 53) - 2), "////////9" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Long_should_encode_and_decode_as_the_table_says(long value, string text)
    {
        Assert.Equal(text, Encoding.ASCII.GetString(MwdbBase64.EncodeLong(value)));
        Assert.Equal(value, MwdbBase64.DecodeLong(Encoding.ASCII.GetBytes(text)));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Int_should_encode_and_decode_as_the_table_says_within_int_range(long value, string text)
    {
        if (value is < int.MinValue or > int.MaxValue)
        {
            Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeInt(Encoding.ASCII.GetBytes(text)));
            return;
        }

        Assert.Equal(text, Encoding.ASCII.GetString(MwdbBase64.EncodeInt((int)value)));
        Assert.Equal((int)value, MwdbBase64.DecodeInt(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Int_should_round_trip_random_values_over_the_whole_range() =>
        Gen.Int.Sample(v => MwdbBase64.DecodeInt(MwdbBase64.EncodeInt(v)) == v, iter: 100_000);

    [Fact]
    public void Long_should_round_trip_random_values_within_53_bits() =>
        Gen.Long[-MwdbBase64.MaxLongMagnitude, MwdbBase64.MaxLongMagnitude]
            .Sample(v => MwdbBase64.DecodeLong(MwdbBase64.EncodeLong(v)) == v, iter: 100_000);

    [Fact]
    public void Int_extremes_should_round_trip()
    {
        Assert.Equal(int.MinValue, MwdbBase64.DecodeInt(MwdbBase64.EncodeInt(int.MinValue)));
        Assert.Equal(int.MaxValue, MwdbBase64.DecodeInt(MwdbBase64.EncodeInt(int.MaxValue)));
    }

    [Theory]
    [InlineData(1L << 53)]
    [InlineData(-(1L << 53))]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void Long_beyond_53_bits_should_be_refused(long value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MwdbBase64.EncodeLong(value));

    [Fact]
    public void Decoding_should_reject_every_character_outside_the_alphabet()
    {
        var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"u8.ToArray();
        for (var b = 0; b < 256; b++)
        {
            if (alphabet.Contains((byte)b))
            {
                continue;
            }

            // The stranger in the last (sign) position and in a leading position.
            var last = new[] { (byte)'B', (byte)b };
            var first = new[] { (byte)b, (byte)'A' };
            Assert.Equal(1, Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeLong(last)).Position);
            Assert.Equal(0, Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeInt(first)).Position);
            Assert.False(MwdbBase64.TryDecodeLong(last, out _));
        }
    }

    [Fact]
    public void Decoding_random_text_with_a_foreign_character_should_throw_the_typed_error() =>
        Gen.Byte.Array[1, 9]
            .Where(bytes => bytes.Any(b => !IsAlphabet(b)))
            .Sample(bytes =>
            {
                var error = Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeLong(bytes));
                return error.Position >= 0 && !IsAlphabet(bytes[error.Position]);
            }, iter: 10_000);

    [Fact]
    public void Decoding_empty_or_too_long_text_should_throw_the_typed_error()
    {
        Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeInt([]));
        Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeInt("AAAAAAA"u8));
        Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeLong("AAAAAAAAAA"u8));
        Assert.Throws<MwdbFormatException>(() => MwdbBase64.DecodeInt("//////"u8));
    }

    private static bool IsAlphabet(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'+' or (byte)'/';
}
