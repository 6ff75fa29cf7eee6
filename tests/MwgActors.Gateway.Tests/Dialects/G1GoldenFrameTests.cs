using System.Text;

namespace MwgActors.Gateway.Tests;

/// <summary>The golden frames of shared/protocol/mwdb-g1.md section 4 against a real server, as an original client sends them.</summary>
public sealed class G1GoldenFrameTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("mwg.connection.g1-push-puts = off");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Prefix_handshake_should_hand_prefix_zero_to_the_first_client()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);

        await client.SendAsync([0x06, 0x41]);

        Assert.Equal(new byte[] { 0x41, 0x23, 0x07, 0x41 }, await client.ReceiveAsync());
    }

    [Fact]
    public async Task Get_of_four_missing_keys_with_a_trailing_separator_should_answer_four_empty_values()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);
        var request = Latin1("\u0003;////////9;////////+;A#\u0003;////////8;////////+;A#\u0002;////////+;////////+;////////+#\u0000;////////+;A;A##\u0000C");

        await client.SendAsync(request);

        Assert.Equal(new byte[] { 0x23, 0x23, 0x23, 0x23, 0x01, 0x43 }, await client.ReceiveAsync());
    }

    [Fact]
    public async Task Single_key_get_should_answer_the_stored_value()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);
        // Store value "A" under the golden key with a G1 put (id 7 = 'O'), then the golden get (id 8 = 'Q').
        await client.SendAsync(Latin1("\u0001;A;A;E#A#\u0002O"));
        Assert.Equal(new byte[] { 0x01, 0x23, 0x03, 0x4f }, await client.ReceiveAsync());

        await client.SendAsync([0x01, 0x3b, 0x41, 0x3b, 0x41, 0x3b, 0x45, 0x23, 0x00, 0x51]);

        Assert.Equal(new byte[] { 0x41, 0x23, 0x01, 0x51 }, await client.ReceiveAsync());
    }

    [Fact]
    public async Task Remove_should_answer_true_as_a_correct_server_does()
    {
        await using var client = await RawClient.ConnectAsync(_server.Uri);

        await client.SendAsync([0x00, 0x3b, 0x41, 0x3b, 0x41, 0x3b, 0x43, 0x23, 0x03, 0x63]);

        Assert.Equal(new byte[] { 0x01, 0x23, 0x04, 0x63 }, await client.ReceiveAsync());
    }

    [Fact]
    public async Task Two_clients_should_get_different_prefixes()
    {
        await using var first = await RawClient.ConnectAsync(_server.Uri);
        await using var second = await RawClient.ConnectAsync(_server.Uri);

        await first.SendAsync([0x06, 0x41]);
        var firstReply = await first.ReceiveAsync();
        await second.SendAsync([0x06, 0x41]);
        var secondReply = await second.ReceiveAsync();

        Assert.Equal("A#\u0007A", Encoding.Latin1.GetString(firstReply!));
        Assert.Equal("C#\u0007A", Encoding.Latin1.GetString(secondReply!)); // prefix 1 is "C" in mwDB Base64
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
