using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Akka.Configuration;
using MwgActors.Tool.Cli;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The client commands across a server that goes away (issue 14, finding 12): several <c>--url</c> are tried in
/// order, a request sent but never answered says its outcome is unknown (exit 6), and the default timeout outlasts a
/// cluster's failover.
/// </summary>
public sealed class CliFailoverTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("put", "fallback/k", "v")]
    [InlineData("get", "fallback/k")]
    [InlineData("reload", "fallback/")]
    public async Task Several_urls_should_be_tried_in_order_and_the_first_that_answers_used(params string[] args)
    {
        await using var server = await TestServer.StartAsync();
        var (before, after) = ($"ws://127.0.0.1:{ClosedPort()}/", $"ws://127.0.0.1:{ClosedPort()}/");

        // Refused, live, refused: only the second answers (neither the first nor the last --url alone would do).
        var result = await RunAsync([.. args, "--url", before, "--url", server.Uri.ToString(), "--url", after]);

        Assert.True(result.Exit is CommandLine.Ok or CommandLine.NotFound, $"exit {result.Exit}: {result.Error}");
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task A_put_through_the_first_url_that_answers_should_be_stored_there()
    {
        await using var server = await TestServer.StartAsync();
        var (before, after) = ($"ws://127.0.0.1:{ClosedPort()}/", $"ws://127.0.0.1:{ClosedPort()}/");

        var put = await RunAsync("put", "--url", before, "--url", server.Uri.ToString(), "--url", after, "users/ada", "Ada");
        var get = await RunAsync("get", "--url", server.Uri.ToString(), "users/ada");

        Assert.Equal((CommandLine.Ok, string.Empty), (put.Exit, put.Error));
        Assert.Equal("users/ada\tAda", get.Output.Trim());
    }

    [Fact]
    public async Task When_no_url_answers_each_should_be_named_and_the_exit_code_be_5()
    {
        var (first, second) = ($"ws://127.0.0.1:{ClosedPort()}/", $"ws://127.0.0.1:{ClosedPort()}/");

        var result = await RunAsync("put", "--url", first, "--url", second, "k", "v");

        Assert.Equal(CommandLine.CannotConnect, result.Exit);
        var line = Assert.Single(Lines(result.Error));
        Assert.StartsWith("mwg put: cannot connect to any --url: ", line, StringComparison.Ordinal);
        Assert.Contains(first, line, StringComparison.Ordinal);
        Assert.Contains(second, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put", "k", "v")]
    [InlineData("remove", "k")]
    public async Task A_write_sent_but_never_answered_should_say_outcome_unknown_and_exit_6(params string[] args)
    {
        await using var mute = await MuteServer.StartAsync(MuteServer.Mode.Silent);

        var result = await RunAsync([.. args, "--url", mute.Uri.ToString(), "--timeout", "3"]);

        Assert.Equal(CommandLine.OutcomeUnknown, result.Exit);
        var line = Assert.Single(Lines(result.Error));
        Assert.Equal($"mwg {args[0]}: outcome unknown: no answer within 3s after the request was sent; it may or may not have been applied", line);
        Assert.Empty(result.Output);
        Assert.Equal(1, mute.Requests);
    }

    [Fact]
    public async Task A_write_whose_connection_drops_before_the_answer_should_say_outcome_unknown_and_exit_6()
    {
        await using var mute = await MuteServer.StartAsync(MuteServer.Mode.DropAfterRequest);

        var result = await RunAsync("put", "--url", mute.Uri.ToString(), "k", "v");

        Assert.Equal(CommandLine.OutcomeUnknown, result.Exit);
        Assert.Equal("mwg put: outcome unknown: the connection was lost after the request was sent; it may or may not have been applied", Assert.Single(Lines(result.Error)));
    }

    [Fact]
    public async Task With_json_an_unknown_outcome_should_also_be_a_field_on_stdout()
    {
        await using var mute = await MuteServer.StartAsync(MuteServer.Mode.Silent);

        var result = await RunAsync("put", "--json", "--url", mute.Uri.ToString(), "--timeout", "3", "k", "v");

        Assert.Equal(CommandLine.OutcomeUnknown, result.Exit);
        using var json = JsonDocument.Parse(result.Output);
        Assert.True(json.RootElement.GetProperty("outcomeUnknown").GetBoolean());
        Assert.StartsWith("outcome unknown: ", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_never_answered_should_be_a_plain_timeout_exit_4()
    {
        await using var mute = await MuteServer.StartAsync(MuteServer.Mode.Silent);

        var result = await RunAsync("get", "--url", mute.Uri.ToString(), "--timeout", "3", "k");

        Assert.Equal(CommandLine.TimedOut, result.Exit);
        var line = Assert.Single(Lines(result.Error));
        Assert.StartsWith("mwg get: no answer ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome unknown", line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_timeout_should_outlast_the_failover_of_the_example_cluster_configuration()
    {
        // docs/cluster.md#failover-timings: a dead writer's node is noticed after the heartbeat pause, downed after
        // stable-after, its singletons restarted after the removal margin. Twice their sum leaves room for the
        // writer's start and a loaded machine (measured: 15.1 s for 13 s of settings).
        var cluster = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(StaticAssetsTests.RepositoryRoot(), "hocon", "cluster.conf")));
        var failover = cluster.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause")
            + cluster.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after")
            + cluster.GetTimeSpan("akka.cluster.down-removal-margin");

        Assert.True(ClientOptions.DefaultTimeout >= 2 * failover, $"default --timeout {ClientOptions.DefaultTimeout} < twice the failover settings {failover}");
        Assert.Contains($"(default {ClientOptions.DefaultTimeout.TotalSeconds}: above a cluster's failover)", CommandLine.UsageText, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, output, error).WaitAsync(Bound);
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A port nothing listens on: bound, read back and released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
