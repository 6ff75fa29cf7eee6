using System.Net.WebSockets;
using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 2: a small get that names one large value many times must not make the server read (or encode)
/// more than the connection's outbound budget (mwg.connection.outbound-max-bytes, 8m by default). It is answered
/// ReplyTooLarge, on the inline read path and through the reader pool, and the connection stays usable.
/// </summary>
public sealed class ReplyBudgetEndToEndTests
{
    private const int OneMiB = 1024 * 1024;
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("big/value");

    [Theory]
    [InlineData(Dialect.Extended, 300, true)]
    [InlineData(Dialect.Extended, 4096, true)]
    [InlineData(Dialect.Json, 300, true)]
    [InlineData(Dialect.Json, 4096, true)]
    [InlineData(Dialect.Extended, 4096, false)]
    [InlineData(Dialect.Json, 300, false)]
    public async Task Get_naming_a_large_value_many_times_should_answer_ReplyTooLarge_and_keep_the_connection(Dialect dialect, int times, bool inlineReads)
    {
        await using var server = await TestServer.StartAsync($"mwg.storage.inline-reads = {(inlineReads ? "on" : "off")}");
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, dialect);
        var value = LargeValue();
        Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Key, value)])));

        var refused = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), Enumerable.Repeat(Key, times).ToArray()), TimeSpan.FromSeconds(60)));
        Assert.Equal(ErrorCode.ReplyTooLarge, refused.Code);

        // The connection still answers, and a get within the budget (the value twice) is read as before.
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
        var twice = Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [Key, Key])));
        Assert.Equal(2, twice.Values.Count);
        Assert.All(twice.Values, v => Assert.True(value.AsSpan().SequenceEqual(v)));
    }

    [Fact]
    public async Task Json_base64_get_should_count_values_at_their_encoded_size()
    {
        // Seven values of 1 MiB are 7 MiB, within 8m; in Base64 they are 9.3 MiB, which could never be queued.
        await using var server = await TestServer.StartAsync();
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Key, LargeValue())])));

        var refused = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(ValueEncoding.Base64), Enumerable.Repeat(Key, 7).ToArray())));

        Assert.Equal(ErrorCode.ReplyTooLarge, refused.Code);
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Fact]
    public async Task Json_text_get_whose_escapes_pass_the_budget_should_answer_ReplyTooLarge()
    {
        // 600 KB of control characters: read within the budget three times over (1.8 MB), but each byte is written
        // as \u0001 (10.8 MB), which could never be queued: the encoded frame is checked before it is.
        await using var server = await TestServer.StartAsync();
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        var controls = new byte[600_000];
        Array.Fill(controls, (byte)1);
        Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Key, controls)])));

        var refused = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), [Key, Key, Key])));

        Assert.Equal(ErrorCode.ReplyTooLarge, refused.Code);
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Fact]
    public async Task G1_get_over_the_budget_should_close_with_1009()
    {
        // An original client has no error frame: the close (1009, message too big) is its only signal.
        await using var server = await TestServer.StartAsync("mwg.connection.g1-push-puts = off");
        await using (var writer = await ProtocolClient.ConnectAsync(server.Uri, Dialect.G1))
        {
            Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Key, LargeValue())])));
            var once = Assert.IsType<GetResult>(await writer.SendAsync(new Get(writer.NextId(), [Key])));
            Assert.Equal(OneMiB, Assert.Single(once.Values)!.Length);
        }

        await using var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.G1);
        await client.SendOnlyAsync(new Get(client.NextId(), Enumerable.Repeat(Key, 300).ToArray()));

        await client.Closed.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
    }

    // Printable ASCII: representable in every dialect (no '#' for G1, plain text for JSON).
    private static byte[] LargeValue()
    {
        var value = new byte[OneMiB];
        for (var i = 0; i < value.Length; i++)
        {
            value[i] = (byte)('a' + (i % 26));
        }

        return value;
    }
}
