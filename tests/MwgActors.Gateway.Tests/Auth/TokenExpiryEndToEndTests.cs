using System.Text;
using MwgActors.Actors.Auth;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// In-band authentication and token expiry over a real socket (JSON dialect): the client authenticates after
/// connecting, is told when its token expires, its subscription pauses, and a new token on the same connection
/// carries on exactly where it was.
/// </summary>
public sealed class TokenExpiryEndToEndTests : IAsyncLifetime
{
    private const string Secret = "expiry-e2e-secret-0123456789abcdef-01234";
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync($$"""mwg.auth { enabled = on, jwt-secret = "{{Secret}}" }""");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task An_expired_token_should_pause_the_subscription_until_a_new_token_resumes_it_where_it_was()
    {
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);
        Assert.IsType<AuthResult>(await writer.SendAsync(new Auth(writer.NextId(), Mint(TimeSpan.FromHours(1)))));
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);

        // Before authenticating, only auth and ping are served.
        var refused = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), [Utf8("doc/1")])));
        Assert.Equal(ErrorCode.Unauthorized, refused.Code);

        Assert.IsType<AuthResult>(await client.SendAsync(new Auth(client.NextId(), Mint(TimeSpan.FromSeconds(2)))));
        var subscribed = Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8("doc/")], null, true)));
        var first = await PutAsync(writer, "doc/1", "one");
        Assert.Equal(first, (await client.NextPushAsync<ChangeNotification>()).Revision);

        // The token runs out: the client is told, its requests are refused, its subscription pauses.
        await client.NextPushAsync<TokenExpired>(TimeSpan.FromSeconds(15));
        var paused = await PutAsync(writer, "doc/2", "two");
        var expired = Assert.IsType<Error>(await client.SendAsync(new Get(client.NextId(), [Utf8("doc/1")])));
        Assert.Equal(ErrorCode.Unauthorized, expired.Code);

        // A new token on the same connection: the change made meanwhile arrives once, then the live stream.
        Assert.IsType<AuthResult>(await client.SendAsync(new Auth(client.NextId(), Mint(TimeSpan.FromHours(1)))));
        var missed = await client.NextPushAsync<ChangeNotification>();
        Assert.Equal((subscribed.SubscriptionId, paused), (missed.SubscriptionId, missed.Revision));
        Assert.Equal("two", Encoding.UTF8.GetString(Assert.Single(missed.Changes).Value!));
        var live = await PutAsync(writer, "doc/3", "three");
        Assert.Equal(live, (await client.NextPushAsync<ChangeNotification>()).Revision);
    }

    [Fact]
    public async Task A_batch_with_one_forbidden_key_should_be_refused_whole_and_change_nothing()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);
        Assert.IsType<AuthResult>(await client.SendAsync(new Auth(client.NextId(), Mint(TimeSpan.FromHours(1)))));

        var refused = Assert.IsType<Error>(await client.SendAsync(new Put(client.NextId(), [
            new KeyValue(Utf8("doc/ok"), Utf8("1")),
            new KeyValue(Utf8("secret/x"), Utf8("2")),
        ])));
        var outside = Assert.IsType<Error>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8("")], null, true)));

        Assert.Equal(ErrorCode.Forbidden, refused.Code);
        Assert.Equal(ErrorCode.Forbidden, outside.Code);
        var read = Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [Utf8("doc/ok")])));
        Assert.Null(Assert.Single(read.Values));
        Assert.Equal([null], await _server.Server.Mwg.Store.GetAsync([Utf8("secret/x")]));
    }

    private static string Mint(TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var grants = new Dictionary<Right, IReadOnlyList<string>>
        {
            [Right.Read] = ["doc/"],
            [Right.Write] = ["doc/"],
            [Right.Subscribe] = ["doc/"],
        };
        return JwtTokens.Mint(Encoding.UTF8.GetBytes(Secret), "reader", grants, now, now + lifetime);
    }

    private static async Task<long> PutAsync(ProtocolClient writer, string key, string value)
    {
        var put = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Utf8(key), Utf8(value))])));
        return put.Revision!.Value;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
