using System.Net;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>mwg.server.allowed-origins: a browser page from another origin cannot open a websocket (403 before the upgrade).</summary>
public sealed class OriginEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync("mwg.server.allowed-origins = [\"https://app.example.com\", \"http://localhost:8080\"]");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("https://app.example.com")]
    [InlineData("HTTPS://APP.EXAMPLE.COM")]
    [InlineData("http://localhost:8080")]
    public async Task Upgrade_from_an_allowed_origin_should_connect(string origin)
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Extended, o => o.SetRequestHeader("Origin", origin));

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Theory]
    [InlineData("https://evil.example.com")]
    [InlineData("http://app.example.com")]
    [InlineData("http://localhost:8081")]
    [InlineData("null")]
    public async Task Upgrade_from_another_origin_should_be_refused_with_403(string origin)
    {
        var status = await Upgrade.StatusAsync(_server.Uri, o => o.SetRequestHeader("Origin", origin));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(0, _server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Client_that_sends_no_origin_should_connect()
    {
        // Not a browser: there is no page whose origin could be forged.
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri);

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Fact]
    public async Task Without_a_list_a_page_on_another_site_should_be_refused_and_one_on_this_machine_connect()
    {
        // Authentication off: nothing to steal, so what is defended is the local server against pages elsewhere.
        await using var open = await TestServer.StartAsync();

        Assert.Equal(HttpStatusCode.Forbidden, await Upgrade.StatusAsync(open.Uri, o => o.SetRequestHeader("Origin", "https://anywhere.example.org")));
        await using var client = await ProtocolClient.ConnectAsync(open.Uri, Dialect.Json, o => o.SetRequestHeader("Origin", "http://localhost:8080"));
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }
}
