using System.Net;
using System.Net.Http.Json;
using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// <c>GET /metrics</c> of a real server: series appear with their Prometheus names and move by exactly what the
/// requests sent caused (each server has a meter of its own, so parallel tests do not disturb the figures).
/// </summary>
public sealed class MetricsEndToEndTests
{
    [Fact]
    public async Task Requests_should_be_counted_by_type_and_outcome_and_timed()
    {
        await using var server = await TestServer.StartAsync();
        var before = await MetricsScrape.ReadAsync(server.Server.HttpUri);
        await using var client = await ProtocolClient.ConnectAsync(server.Uri);

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8($"k/{i}"), Utf8("v"))])));
        }

        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [Utf8("k/0")])));
        }

        Assert.IsType<Error>(await client.SendAsync(new Unsubscribe(client.NextId(), 42)));
        var after = await MetricsScrape.ReadAsync(server.Server.HttpUri);

        Assert.Equal(0, before["mwg_requests_total{outcome=\"ok\",type=\"get\"}"]);
        Assert.Equal(5, after["mwg_requests_total{outcome=\"ok\",type=\"get\"}"]);
        Assert.Equal(3, after["mwg_requests_total{outcome=\"ok\",type=\"put\"}"]);
        Assert.Equal(1, after["mwg_requests_total{outcome=\"error\",type=\"unsubscribe\"}"]);
        Assert.Equal(5, after["mwg_request_duration_seconds_count{type=\"get\"}"]);
        Assert.Equal(5, after["mwg_request_duration_seconds_bucket{type=\"get\",le=\"+Inf\"}"]);
        Assert.True(after["mwg_request_duration_seconds_sum{type=\"get\"}"] > 0);
        Assert.Equal(3, after["mwg_journal_revision"]);
        Assert.Equal(1, after["mwg_connections{dialect=\"extended\"}"]);
        Assert.Equal(0, after["mwg_connections{dialect=\"json\"}"]);
        Assert.Contains("# TYPE mwg_requests_total counter", after.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE mwg_request_duration_seconds histogram", after.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Notifications_reloads_and_rocksdb_statistics_should_show()
    {
        await using var server = await TestServer.StartAsync();
        await using var subscriber = await ProtocolClient.ConnectAsync(server.Uri);
        Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [Utf8("users/")], null, IncludeValues: true)));
        Assert.IsType<PutResult>(await subscriber.SendAsync(new Put(subscriber.NextId(), [new KeyValue(Utf8("users/ada"), Utf8("Ada"))])));
        await subscriber.NextPushAsync<ChangeNotification>();
        using (var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) })
        {
            using var reload = await http.PostAsJsonAsync("/admin/reload", new { prefixes = new[] { "users/" } });
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        }

        await subscriber.NextPushAsync<ReloadKeys>();
        await subscriber.SendRawAsync([(byte)'#', 0x7F, (byte)'A']);

        // The connection handles frames in order: once the ping is answered, everything before it is counted.
        Assert.IsType<Pong>(await subscriber.SendAsync(new Ping(subscriber.NextId())));

        var scrape = await MetricsScrape.ReadAsync(server.Server.HttpUri);

        Assert.Equal(1, scrape["mwg_notifications_sent_total{dialect=\"extended\"}"]);
        Assert.Equal(1, scrape["mwg_reloads_sent_total{reason=\"forced\"}"]);
        Assert.Equal(1, scrape["mwg_requests_total{outcome=\"invalid\",type=\"unknown\"}"]);
        Assert.Equal(1, scrape["mwg_subscriptions"]);
        Assert.Equal(0, scrape["mwg_subscriptions_lag"]);
        Assert.True(scrape["mwg_rocksdb_disk_size_bytes"] > 0);
        Assert.True(scrape["mwg_rocksdb_memtable_size_bytes{column_family=\"data\"}"] > 0);
        Assert.True(scrape.Has("mwg_rocksdb_sst_size_bytes{column_family=\"journal\"}"));
        Assert.True(scrape.Has("mwg_rocksdb_compactions_running"));
        Assert.True(scrape.Has("mwg_rocksdb_compactions_pending{column_family=\"data\"}"));
    }

    [Fact]
    public async Task The_endpoint_can_be_turned_off()
    {
        await using var server = await TestServer.StartAsync("mwg.server.metrics.enabled = off");
        using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        using var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task With_authentication_on_a_scrape_needs_a_valid_token()
    {
        await using var server = await TestServer.StartAsync("""
            mwg.auth { enabled = on, api-keys = [{ key = "prometheus-0123456789", subject = "prometheus" }] }
            mwg.server.metrics.path = "/internal/metrics"
            """);
        using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(10) };

        using var anonymous = await http.GetAsync("/internal/metrics");
        using var wrong = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/internal/metrics") { Headers = { { "Authorization", "Bearer not-a-key" } } });
        using var scraper = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/internal/metrics") { Headers = { { "Authorization", "Bearer prometheus-0123456789" } } });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scraper.StatusCode);
        Assert.Contains("mwg_journal_revision 0", await scraper.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
