using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 8: a binary frame on the JSON dialect is refused with BadFrame and never executed (the
/// connection stays open); the hello does not give the host name to a client that has not authenticated.
/// </summary>
public sealed class DialectHardeningEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_binary_frame_on_the_json_dialect_should_be_refused_with_BadFrame_and_not_executed()
    {
        await using var raw = await RawClient.ConnectAsync(_server.Uri, Subprotocols.Json);
        using var codec = new ClientCodec(Dialect.Json);
        Assert.IsType<Hello>(codec.Decode((await raw.ReceiveAsync())!));

        // A well-formed JSON put, sent as a binary frame.
        await raw.SendAsync("""{"requestId":"r1","action":"put","pairs":[{"key":"bin/1","value":"v"}]}"""u8.ToArray());

        var refused = Assert.IsType<Error>(codec.Decode((await raw.ReceiveAsync())!));
        Assert.Equal(ErrorCode.BadFrame, refused.Code);
        Assert.Equal([null], await _server.Server.Mwg.Store.GetAsync([Encoding.UTF8.GetBytes("bin/1")]));

        // The connection stays healthy: the same request as text is served.
        await raw.SendTextAsync("""{"requestId":"r2","action":"ping"}""");
        Assert.IsType<Pong>(codec.Decode((await raw.ReceiveAsync())!));
    }

    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task The_hello_should_not_name_the_host_by_default(Dialect dialect)
    {
        await using var raw = await RawClient.ConnectAsync(_server.Uri, dialect == Dialect.Json ? Subprotocols.Json : Subprotocols.Extended);
        using var codec = new ClientCodec(dialect);

        var hello = Assert.IsType<Hello>(codec.Decode((await raw.ReceiveAsync())!));

        Assert.Equal("mwg", hello.ServerId);
        Assert.DoesNotContain(Environment.MachineName, hello.ServerId, StringComparison.OrdinalIgnoreCase);
    }
}
