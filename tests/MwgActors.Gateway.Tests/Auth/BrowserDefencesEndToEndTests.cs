using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 5: with the default settings (authentication off, bound to loopback) a web page elsewhere
/// cannot drive the server through the visitor's browser. A websocket from a foreign Origin is refused (403), a
/// request naming a foreign Host (DNS rebinding) is refused on every endpoint (421), and /admin/reload takes only
/// a JSON body, which a cross-site form cannot send (415). Pages on this machine and the server's own page still work.
/// </summary>
public sealed class BrowserDefencesEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _http = null!;

    private int Port => _server.Server.Port;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://evil.example:7513")]
    [InlineData("null")]
    public async Task Upgrade_from_a_page_on_another_site_should_be_refused_with_403(string origin)
    {
        var status = await Upgrade.StatusAsync(_server.Uri, o => o.SetRequestHeader("Origin", origin));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(0, _server.Server.ConnectionCount);
    }

    [Theory]
    [InlineData("http://localhost:{0}")]
    [InlineData("http://127.0.0.1:{0}")]
    [InlineData("http://[::1]:{0}")]
    [InlineData("http://localhost:3000")]
    public async Task Upgrade_from_a_page_on_this_machine_should_connect(string origin)
    {
        var page = string.Format(System.Globalization.CultureInfo.InvariantCulture, origin, Port);
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json, o => o.SetRequestHeader("Origin", page));

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Theory]
    [InlineData("/keys")]
    [InlineData("/healthz")]
    [InlineData("/admin/stats")]
    [InlineData("/ui/")]
    public async Task Request_naming_a_foreign_host_should_be_refused_with_421(string path)
    {
        Assert.Equal(421, await RawHttp.StatusAsync(Port, $"GET {path} HTTP/1.1\r\nHost: evil.example:{Port}"));
        Assert.Equal(421, await RawHttp.StatusAsync(Port, $"GET {path} HTTP/1.1\r\nHost: evil.example"));
    }

    [Fact]
    public async Task Upgrade_naming_a_foreign_host_should_be_refused_with_421_even_from_its_own_origin()
    {
        // A rebound name: the page's origin is http://evil.example:PORT and the browser sends Host evil.example:PORT.
        var status = await RawHttp.StatusAsync(Port, RawHttp.Upgrade($"evil.example:{Port}", $"http://evil.example:{Port}"));

        Assert.Equal(421, status);
        Assert.Equal(0, _server.Server.ConnectionCount);
    }

    [Theory]
    [InlineData("localhost:{0}")]
    [InlineData("LOCALHOST")]
    [InlineData("127.0.0.1:{0}")]
    [InlineData("[::1]:{0}")]
    public async Task Keys_naming_a_loopback_host_should_answer_200(string host)
    {
        var named = string.Format(System.Globalization.CultureInfo.InvariantCulture, host, Port);

        Assert.Equal(200, await RawHttp.StatusAsync(Port, $"GET /keys HTTP/1.1\r\nHost: {named}"));
    }

    [Fact]
    public async Task A_host_in_allowed_hosts_should_be_answered_and_others_refused()
    {
        await using var named = await TestServer.StartAsync("mwg.server.allowed-hosts = [\"mwg.example.com\"]");
        var port = named.Server.Port;

        Assert.Equal(200, await RawHttp.StatusAsync(port, $"GET /keys HTTP/1.1\r\nHost: MWG.example.com:{port}"));
        Assert.Equal(421, await RawHttp.StatusAsync(port, $"GET /keys HTTP/1.1\r\nHost: evil.example:{port}"));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Reload_sent_as_a_cross_site_form_would_should_be_refused_with_415_and_reload_nothing(string contentType)
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(_server.Uri);
        var subscribed = Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), ["users/"u8.ToArray()], null, IncludeValues: true)));
        using var content = new StringContent("{\"prefixes\": [\"users/\"]}", Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await _http.PostAsync(new Uri("/admin/reload", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);

        // Nothing was pushed: the subscriber's next push is the change written after the refusal.
        var marker = Assert.IsType<PutResult>(await subscriber.SendAsync(new Put(subscriber.NextId(), [new KeyValue("users/marker"u8.ToArray(), "m"u8.ToArray())])));
        var next = Assert.IsType<ChangeNotification>(await subscriber.NextPushAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal((subscribed.SubscriptionId, marker.Revision), (next.SubscriptionId, next.Revision));
    }

    [Fact]
    public async Task Reload_sent_as_json_should_be_answered()
    {
        using var response = await _http.PostAsJsonAsync(new Uri("/admin/reload", UriKind.Relative), new { prefixes = new[] { "users/" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
