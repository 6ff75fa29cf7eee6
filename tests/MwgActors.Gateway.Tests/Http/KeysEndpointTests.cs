using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// <c>GET /keys</c>: the pairs under a prefix in key order with the revision they are at least as new as; UTF-8 or
/// Base64; a limit; the read right on the whole prefix when authentication is on. And the subscription counts of
/// <c>GET /admin/stats</c>, which the live page shows.
/// </summary>
public sealed class KeysEndpointTests : IAsyncLifetime
{
    private const string AuthOn = """
        mwg.auth {
          enabled = on
          api-keys = [
            { key = "reader-key-0123456789", subject = "reader", read = ["users/"] }
          ]
        }
        """;

    private TestServer _open = null!;
    private TestServer _guarded = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var servers = await Task.WhenAll(TestServer.StartAsync(), TestServer.StartAsync(AuthOn));
        (_open, _guarded) = (servers[0], servers[1]);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await Task.WhenAll(_open.DisposeAsync().AsTask(), _guarded.DisposeAsync().AsTask());
    }

    [Fact]
    public async Task Keys_should_list_the_pairs_under_a_prefix_in_key_order_with_the_revision()
    {
        await PutAsync(_open, ("users/bob", "Bob"), ("users/ada", "Ada"), ("usersX", "outside"), ("teams/a", "t"));
        var revision = await _open.Server.Mwg.Store.GetRevisionAsync();

        using var body = await GetJsonAsync(_open, "/keys?prefix=users/");

        Assert.Equal(revision, body.RootElement.GetProperty("revision").GetInt64());
        Assert.False(body.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal(["users/ada=Ada", "users/bob=Bob"], Pairs(body));
        using var everything = await GetJsonAsync(_open, "/keys");
        Assert.Equal(4, Pairs(everything).Length);
    }

    [Fact]
    public async Task Keys_should_write_values_larger_than_a_segment_intact_in_utf8_and_base64()
    {
        // Written in segments of 15 KiB: multi-byte characters and escaped ones straddle their boundaries.
        var value = string.Concat(Enumerable.Repeat("é<\"€😀a\n", 20_000));
        await PutAsync(_open, ("segments/big", value), ("segments/empty", string.Empty));

        using var utf8 = await GetJsonAsync(_open, "/keys?prefix=segments/");
        using var base64 = await GetJsonAsync(_open, "/keys?encoding=base64&prefix=" + Uri.EscapeDataString(Convert.ToBase64String("segments/"u8)));

        Assert.Equal([$"segments/big={value}", "segments/empty="], Pairs(utf8));
        var pairs = base64.RootElement.GetProperty("pairs");
        Assert.Equal(Encoding.UTF8.GetBytes(value), pairs[0].GetProperty("value").GetBytesFromBase64());
        Assert.Empty(pairs[1].GetProperty("value").GetBytesFromBase64());
    }

    [Fact]
    public async Task Keys_should_stop_at_the_limit_and_say_it_was_truncated()
    {
        await PutAsync(_open, ("limit/1", "a"), ("limit/2", "b"), ("limit/3", "c"));

        using var body = await GetJsonAsync(_open, "/keys?prefix=limit/&limit=2");

        Assert.True(body.RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal(["limit/1=a", "limit/2=b"], Pairs(body));
    }

    [Fact]
    public async Task Scan_should_stop_at_its_byte_budget_keeping_the_pair_that_crosses_it()
    {
        await PutAsync(_open, ("budget/1", "aaaa"), ("budget/2", "bbbb"), ("budget/3", "cccc"));
        var prefix = Encoding.UTF8.GetBytes("budget/");

        var one = await _open.Server.Mwg.Store.ScanAsync(prefix, maxPairs: 10, maxBytes: 1);
        var two = await _open.Server.Mwg.Store.ScanAsync(prefix, maxPairs: 10, maxBytes: 13);
        var all = await _open.Server.Mwg.Store.ScanAsync(prefix, maxPairs: 10);

        Assert.Equal((1, true), (one.Pairs.Count, one.Truncated));
        Assert.Equal((2, true), (two.Pairs.Count, two.Truncated)); // 12 bytes after the first pair: under 13
        Assert.Equal((3, false), (all.Pairs.Count, all.Truncated));
    }

    [Fact]
    public async Task Keys_in_base64_should_carry_any_byte_and_utf8_should_refuse_a_value_that_is_not_text()
    {
        byte[] key = [0x62, 0x00, 0xff];
        byte[] value = [0xfe, 0x01];
        await _open.Server.Mwg.Store.PutAsync([new(key, value)]);

        using var body = await GetJsonAsync(_open, "/keys?encoding=base64&prefix=" + Uri.EscapeDataString(Convert.ToBase64String([0x62, 0x00])));
        var pair = Assert.Single(body.RootElement.GetProperty("pairs").EnumerateArray());

        Assert.Equal("base64", body.RootElement.GetProperty("encoding").GetString());
        Assert.Equal(key, pair.GetProperty("key").GetBytesFromBase64());
        Assert.Equal(value, pair.GetProperty("value").GetBytesFromBase64());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendAsync(_open, "/keys?prefix=b")).StatusCode);
    }

    [Theory]
    [InlineData("/keys?limit=0")]
    [InlineData("/keys?limit=10001")]
    [InlineData("/keys?limit=ten")]
    [InlineData("/keys?encoding=latin1")]
    [InlineData("/keys?encoding=base64&prefix=***")]
    public async Task Keys_should_refuse_a_bad_query_with_400(string query)
    {
        using var response = await SendAsync(_open, query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Keys_should_need_a_token_with_the_read_right_on_the_whole_prefix()
    {
        await PutAsync(_guarded, ("users/ada", "Ada"), ("secrets/x", "hidden"));

        using var anonymous = await SendAsync(_guarded, "/keys?prefix=users/");
        using var badToken = await SendAsync(_guarded, "/keys?prefix=users/", "not-a-key-0123456789");
        using var outside = await SendAsync(_guarded, "/keys?prefix=secrets/", "reader-key-0123456789");
        using var wider = await SendAsync(_guarded, "/keys?prefix=", "reader-key-0123456789");
        using var allowed = await SendAsync(_guarded, "/keys?prefix=users/", "reader-key-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wider.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.DoesNotContain("hidden", await outside.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_should_count_the_live_subscriptions_and_their_subscribers()
    {
        await using var first = await _open.Server.Mwg.Store.SubscribeAsync([Encoding.UTF8.GetBytes("stats/")]);
        await using var second = await _open.Server.Mwg.Store.SubscribeAsync([Encoding.UTF8.GetBytes("stats/")]);

        using var body = await GetJsonAsync(_open, "/admin/stats");

        Assert.Equal(2, body.RootElement.GetProperty("subscriptions").GetInt32());
        Assert.Equal(2, body.RootElement.GetProperty("subscribers").GetInt32());
        Assert.Equal(0, body.RootElement.GetProperty("connections").GetInt32());
    }

    private static string[] Pairs(JsonDocument body) =>
        [.. body.RootElement.GetProperty("pairs").EnumerateArray().Select(p => $"{p.GetProperty("key").GetString()}={p.GetProperty("value").GetString()}")];

    private static Task<long> PutAsync(TestServer server, params (string Key, string Value)[] pairs) =>
        server.Server.Mwg.Store.PutAsync([.. pairs.Select(p => new KeyValuePair<byte[], byte[]>(Encoding.UTF8.GetBytes(p.Key), Encoding.UTF8.GetBytes(p.Value)))]);

    private async Task<HttpResponseMessage> SendAsync(TestServer server, string pathAndQuery, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Server.HttpUri, pathAndQuery));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _http.SendAsync(request);
    }

    private async Task<JsonDocument> GetJsonAsync(TestServer server, string pathAndQuery)
    {
        using var response = await SendAsync(server, pathAndQuery);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return JsonDocument.Parse(text);
    }
}
