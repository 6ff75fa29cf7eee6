using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using MwgActors.Actors.Auth;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 7: one expiry rule (expired once now >= exp + mwg.auth.clock-skew), the same at the handshake,
/// in-band, on HTTP and before every request on an open connection, whether or not the expiry timer has fired.
/// </summary>
public sealed class ExpiryRuleEndToEndTests : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private const string Secret = "expiry-rule-secret-0123456789abcdef-0123";

    // mwg.auth.clock-skew of this server: part of the rule, so waits for an expiry include it.
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync($$"""mwg.auth { enabled = on, jwt-secret = "{{Secret}}", clock-skew = {{Skew.TotalSeconds}}s }""");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_token_expired_20s_ago_should_be_refused_at_the_handshake()
    {
        var expired = Mint(DateTimeOffset.UtcNow.AddSeconds(-20));

        var header = await Upgrade.StatusAsync(_server.Uri, o => o.SetRequestHeader("Authorization", "Bearer " + expired));
        var query = await Upgrade.StatusAsync(new Uri(_server.Uri, "/?token=" + expired));

        Assert.Equal(HttpStatusCode.Unauthorized, header);
        Assert.Equal(HttpStatusCode.Unauthorized, query);
    }

    [Fact]
    public async Task A_token_expired_20s_ago_should_be_refused_in_band()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);

        var refused = Assert.IsType<Error>(await client.SendAsync(new Auth(client.NextId(), Mint(DateTimeOffset.UtcNow.AddSeconds(-20)))));

        Assert.Equal(ErrorCode.Unauthorized, refused.Code);
    }

    [Theory]
    [InlineData("/keys?prefix=doc/")]
    [InlineData("/admin/stats")]
    [InlineData("/metrics")]
    public async Task A_token_expired_20s_ago_should_be_refused_on_http(string path)
    {
        using var http = new HttpClient { BaseAddress = _server.Server.HttpUri };

        var expired = await GetAsync(http, path, Mint(DateTimeOffset.UtcNow.AddSeconds(-20)));
        var valid = await GetAsync(http, path, Mint(DateTimeOffset.UtcNow.AddHours(1)));

        Assert.Equal(HttpStatusCode.Unauthorized, expired);
        Assert.Equal(HttpStatusCode.OK, valid);
    }

    [Fact]
    public async Task A_request_after_the_token_expired_should_be_refused_and_not_done()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(5);
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + Mint(expiresAt)));
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));

        await AwaitExpiredAsync(expiresAt);
        var refused = Assert.IsType<Error>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8("doc/late"), Utf8("v"))])));

        Assert.Equal(ErrorCode.Unauthorized, refused.Code);
        Assert.Equal([null], await _server.Server.Mwg.Store.GetAsync([Utf8("doc/late")]));
    }

    [Fact]
    public async Task A_G1_put_after_the_token_expired_should_not_be_stored_and_the_socket_closed_with_1008()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(5);
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.G1, o => o.SetRequestHeader("Authorization", "Bearer " + Mint(expiresAt)));

        await AwaitExpiredAsync(expiresAt);
        var reply = client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8("doc/g1"), Utf8("v"))]), Bound);
        await Task.WhenAny(reply, client.Closed).WaitAsync(Bound);
        if (reply.IsCompletedSuccessfully)
        {
            Assert.False(Assert.IsType<PutResult>(await reply).Ok);
        }

        await client.Closed.WaitAsync(Bound);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        Assert.Equal([null], await _server.Server.Mwg.Store.GetAsync([Utf8("doc/g1")]));
    }

    private Task AwaitExpiredAsync(DateTimeOffset expiresAt) =>
        AwaitAssertAsync(() => Assert.True(DateTimeOffset.UtcNow >= expiresAt + Skew), Bound, TimeSpan.FromMilliseconds(50));

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await http.SendAsync(request)).StatusCode;
    }

    private static string Mint(DateTimeOffset expiresAt)
    {
        var grants = new Dictionary<Right, IReadOnlyList<string>>
        {
            [Right.Read] = ["doc/"],
            [Right.Write] = ["doc/"],
            [Right.Reload] = [""],
        };
        return JwtTokens.Mint(Encoding.UTF8.GetBytes(Secret), "reader", grants, expiresAt.AddHours(-1), expiresAt);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
