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
    public async Task Connections_should_hold_every_connection_and_measure_the_server_processes_memory_per_connection()
    {
        // A server process of its own: in-process, the test's allocations would be counted as the server's.
        using var data = new TempFolder("mwg-proc-");
        await using var server = await MwgProcess.StartServeAsync(data.Path);
        var options = LoadGenOptions.Parse(
            ["connections", "--url", server.Uri.ToString(), "--connections", "50", "--warm-connections", "5", "--settle", "0.5"]);

        var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

        var result = Assert.IsType<ConnectionsResult>(summary.Connections);
        Assert.Equal(0, summary.Errors);
        Assert.Equal((50, 0, 50), (result.Opened, result.Failed, result.StillOpen));
        Assert.Equal(50, summary.Ops.Single(o => o.Op == "connect").Requests);
        Assert.Equal(server.Id, result.ServerPid); // found through the socket listening on the url's port
        Assert.Equal(["rss", "private", "anonymous"], result.Memory.Select(m => m.Name));
        Assert.True(result.RssPerConnection > 0, $"rss per connection {result.RssPerConnection}");
        Assert.Contains("per conn KiB", summary.ToTable(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_should_deliver_each_missed_revision_exactly_once()
    {
        await using var server = await TestServer.StartAsync();
        var options = LoadGenOptions.Parse(
            ["resume", "--url", server.Uri.ToString(), "--missed", "500", "--batch", "2", "--inflight", "4"]);

        var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

        var result = Assert.IsType<ResumeResult>(summary.Resume);
        Assert.Equal(0, summary.Errors);
        Assert.True(result.CaughtUp);
        Assert.False(result.ReloadAll);
        Assert.Equal((500L, 500L, 1000L, 1000L), (result.MissedRevisions, result.ReceivedRevisions, result.MissedChanges, result.ReceivedChanges));
        Assert.Equal((0L, 0L, 0L), (result.Missing, result.Duplicates, result.Unexpected));
        Assert.Equal(result.SinceRevision + 500, result.LastRevision);
        Assert.Equal(500, summary.Ops.Single(o => o.Op == "put").Requests);
    }

    [Fact]
    public async Task Resume_past_the_retained_history_should_report_the_reload_instead_of_a_catch_up()
    {
        // A snapshot every 10 revisions trims the change log to the last 5: revision 1 is long gone when the subscriber returns.
        await using var server = await TestServer.StartAsync("""
            mwg.storage.retain-revisions = 5
            mwg.storage.snapshot-every = 10
            """);
        var options = LoadGenOptions.Parse(["resume", "--url", server.Uri.ToString(), "--missed", "200", "--inflight", "4"]);

        var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

        var result = Assert.IsType<ResumeResult>(summary.Resume);
        Assert.True(result.ReloadAll);
        Assert.False(result.CaughtUp);
        Assert.True(summary.Errors > 0);
        Assert.Contains("RELOAD_ALL", summary.FirstError, StringComparison.Ordinal);
        Assert.Contains("\"reloadAll\": true", summary.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_should_refuse_an_unknown_option_and_a_bad_mix()
    {
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["kv", "--nope", "1"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["kv", "--mix", "80:20"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["churn"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["resume", "--missed", "0"]));
    }
}
