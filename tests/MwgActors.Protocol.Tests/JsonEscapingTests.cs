using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MwgActors.Protocol.Json;

namespace MwgActors.Protocol.Tests;

/// <summary>The escaped length counted without writing equals what the codec's JSON writer writes.</summary>
public sealed class JsonEscapingTests
{
    [Theory]
    [InlineData("plain ascii")]
    [InlineData("")]
    [InlineData("quote \" backslash \\ newline \n tab \t cr \r bs \b ff \f")]
    [InlineData("\u0001\u0002\u001f\u007f")]
    [InlineData("accents éàü, cjk 漢字, emoji 😀, bom \ufeff, line sep \u2028")]
    [InlineData("<script>&'+/</script>")]
    public void Encoded_length_should_match_the_writer(string text) =>
        Assert.Equal(Written(Encoding.UTF8.GetBytes(text)), JsonEscaping.EncodedLength(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Encoded_length_should_match_the_writer_on_random_text()
    {
        const int Seed = 14002;
        var random = new Random(Seed);
        int[] pool = ['a', ' ', '"', '\\', '\n', '\u0000', '\u0007', '\u007f', 'é', '€', '\u2028', 0x1F600, 0xFFFD, '<', '+'];
        for (var i = 0; i < 500; i++)
        {
            var text = new StringBuilder();
            for (var j = random.Next(0, 64); j > 0; j--)
            {
                text.Append(char.ConvertFromUtf32(pool[random.Next(pool.Length)]));
            }

            var utf8 = Encoding.UTF8.GetBytes(text.ToString());
            Assert.True(Written(utf8) == JsonEscaping.EncodedLength(utf8), $"seed {Seed}, case {i}: {Convert.ToHexString(utf8)}");
        }
    }

    [Fact]
    public void Control_bytes_should_count_six_times()
    {
        var value = new byte[1000];
        Array.Fill(value, (byte)1);

        Assert.Equal(6000, JsonEscaping.EncodedLength(value));
    }

    // What the codec's writer puts between the quotes of a string value.
    private static long Written(byte[] utf8)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStringValue(utf8);
        }

        return buffer.WrittenCount - 2;
    }
}
