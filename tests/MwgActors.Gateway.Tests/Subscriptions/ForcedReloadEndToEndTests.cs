using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MwgActors.Tool.Cli;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A forced reload, asked over HTTP or with <c>mwg reload</c>, reaches exactly the subscriptions whose prefixes
/// overlap it: broader and narrower ones, never those on other prefixes.
/// </summary>
public sealed class ForcedReloadEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Admin_reload_should_reach_exactly_the_overlapping_subscriptions()
    {
        await using var clients = await Subscribers.StartAsync(_server.Uri);
        using var http = new HttpClient { BaseAddress = _server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.PostAsJsonAsync("/admin/reload", new { prefixes = new[] { "users/" }, encoding = "utf8" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, body.RootElement.GetProperty("subscriptions").GetInt32());
        await clients.ExpectReloadOfUsersOnlyAsync("users/");
    }

    [Fact]
    public async Task Admin_reload_with_base64_prefixes_should_reach_the_subscriptions_of_those_bytes()
    {
        await using var clients = await Subscribers.StartAsync(_server.Uri);
        using var http = new HttpClient { BaseAddress = _server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.PostAsJsonAsync("/admin/reload", new { prefixes = new[] { Convert.ToBase64String(Utf8("users/admin/x")) }, encoding = "base64" });

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(2, body.RootElement.GetProperty("subscriptions").GetInt32());
        await clients.ExpectReloadOfUsersOnlyAsync("users/admin/x");
    }

    [Fact]
    public async Task Admin_reload_without_prefixes_should_answer_bad_request()
    {
        using var http = new HttpClient { BaseAddress = _server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.PostAsync("/admin/reload", new StringContent("{\"keys\": 1}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Cli_reload_should_reach_exactly_the_overlapping_subscriptions_and_say_how_many()
    {
        await using var clients = await Subscribers.StartAsync(_server.Uri);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CommandLine.RunAsync(["reload", "--url", _server.Server.HttpUri.ToString(), "users/"], output, error);

        Assert.Equal(CommandLine.Ok, exit);
        Assert.Equal("reload pushed to 2 subscription(s)", output.ToString().Trim());
        Assert.Empty(error.ToString());
        await clients.ExpectReloadOfUsersOnlyAsync("users/");
    }

    [Fact]
    public async Task Cli_reload_against_no_server_should_fail_with_one_line()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CommandLine.RunAsync(["reload", "--url", $"http://127.0.0.1:{ClosedPort()}", "users/"], output, error);

        Assert.Equal(CommandLine.CannotConnect, exit);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mwg reload: cannot reach", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_reload_without_a_prefix_should_print_usage_error()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CommandLine.RunAsync(["reload", "--url", _server.Server.HttpUri.ToString()], output, error);

        Assert.Equal(CommandLine.Usage, exit);
        Assert.Contains("at least one key or prefix", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>A port nothing listens on: bound, read back and released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Three clients on users/, users/admin/ and orders/, and a writer for markers.</summary>
    private sealed class Subscribers : IAsyncDisposable
    {
        private readonly List<ProtocolClient> _clients = [];
        private readonly Dictionary<string, (ProtocolClient Client, long SubscriptionId)> _byPrefix = [];

        public static async Task<Subscribers> StartAsync(Uri uri)
        {
            var subscribers = new Subscribers();
            foreach (var prefix in new[] { "users/", "users/admin/", "orders/" })
            {
                var client = await ProtocolClient.ConnectAsync(uri);
                subscribers._clients.Add(client);
                var subscribed = Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8(prefix)], null, IncludeValues: true)));
                subscribers._byPrefix[prefix] = (client, subscribed.SubscriptionId);
            }

            return subscribers;
        }

        /// <summary>
        /// users/ and users/admin/ get a reload naming <paramref name="reloaded"/>; orders/ gets nothing: its next push
        /// is the notification of a marker written after the reload (a reload would have been pushed before it).
        /// </summary>
        public async Task ExpectReloadOfUsersOnlyAsync(string reloaded)
        {
            foreach (var prefix in new[] { "users/", "users/admin/" })
            {
                var (client, subscriptionId) = _byPrefix[prefix];
                var reload = Assert.IsType<ReloadKeys>(await client.NextPushAsync(TimeSpan.FromSeconds(5)));
                Assert.Equal(subscriptionId, reload.SubscriptionId);
                Assert.Equal(reloaded, Encoding.UTF8.GetString(Assert.Single(reload.Prefixes)));
            }

            var (orders, ordersId) = _byPrefix["orders/"];
            var marker = Assert.IsType<PutResult>(await orders.SendAsync(new Put(orders.NextId(), [new KeyValue(Utf8("orders/marker"), Utf8("m"))])));
            var next = Assert.IsType<ChangeNotification>(await orders.NextPushAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal(ordersId, next.SubscriptionId);
            Assert.Equal(marker.Revision, next.Revision);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in _clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
