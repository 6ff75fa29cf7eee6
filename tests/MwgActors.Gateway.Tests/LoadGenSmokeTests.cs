using MwgActors.LoadGen;

namespace MwgActors.Gateway.Tests;

/// <summary>The load generator runs its scenarios against a real server without errors.</summary>
public sealed class LoadGenSmokeTests
{
    [Fact]
    public async Task Kv_should_complete_requests_without_errors_against_a_live_server()
    {
        await using var server = await TestServer.StartAsync();
        var options = LoadGenOptions.Parse(
            ["kv", "--url", server.Uri.ToString(), "--clients", "2", "--inflight", "2", "--mix", "60:30:10", "--batch", "4",
             "--keys", "500", "--load", "200", "--warmup", "0.5", "--duration", "1.5"]);

        var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

        Assert.True(summary.Requests > 0);
        Assert.Equal(0, summary.Errors);
        Assert.Equal(["get", "put", "remove"], summary.Ops.Select(o => o.Op));
        Assert.All(summary.Ops, o => Assert.True(o.P50 > 0 && o.P50 <= o.P999));
    }

    [Fact]
    public async Task Kv_in_json_with_a_request_count_should_stop_at_that_count()
    {
        await using var server = await TestServer.StartAsync();
        var options = LoadGenOptions.Parse(
            ["kv", "--url", server.Uri.ToString(), "--dialect", "json", "--clients", "2", "--inflight", "3", "--requests", "300", "--warmup", "0", "--distribution", "zipf"]);

        var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

        Assert.Equal(300, summary.Requests);
        Assert.Equal(0, summary.Errors);
    }

    [Fact]
    public async Task Fanout_should_deliver_each_measured_put_to_every_subscriber()
    {
        await using var server = await TestServer.StartAsync();
        var options = LoadGenOptions.Parse(
            ["fanout", "--url", server.Uri.ToString(), "--subscribers", "3", "--requests", "100", "--warmup", "0"]);

        var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

        Assert.Equal(0, summary.Errors);
        Assert.Equal(100, summary.Ops.Single(o => o.Op == "put").Requests);
        Assert.Equal(300, summary.Ops.Single(o => o.Op == "notify").Requests);
    }

    [Fact]
    public void Parse_should_refuse_an_unknown_option_and_a_bad_mix()
    {
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["kv", "--nope", "1"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["kv", "--mix", "80:20"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["connections"]));
    }
}
