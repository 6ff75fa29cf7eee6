using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MwgActors.Tool.Cli;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The client commands of <c>mwg</c> run in-process against a real server: what they print, in text and JSON,
/// and how they fail (one line on stderr and a documented exit code, never a stack trace).
/// </summary>
public sealed class CliClientCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    private string Url => _server.Uri.ToString();

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Put_should_print_the_revision_and_get_should_print_each_key_with_its_value()
    {
        var put = await RunAsync("put", "users/ada", "Ada Lovelace", "users/bob", "Bob");
        var get = await RunAsync("get", "users/ada", "users/bob");

        Assert.Equal((CommandLine.Ok, string.Empty), (put.Exit, put.Error));
        Assert.True(long.Parse(put.Output.Trim(), CultureInfo.InvariantCulture) > 0);
        Assert.Equal((CommandLine.Ok, string.Empty), (get.Exit, get.Error));
        Assert.Equal(["users/ada\tAda Lovelace", "users/bob\tBob"], Lines(get.Output));
    }

    [Fact]
    public async Task Get_of_a_missing_key_should_print_missing_and_exit_3()
    {
        await RunAsync("put", "here", "1");

        var get = await RunAsync("get", "here", "not-here");

        Assert.Equal(CommandLine.NotFound, get.Exit);
        Assert.Equal(["here\t1", "not-here\t(missing)"], Lines(get.Output));
        Assert.Empty(get.Error);
    }

    [Fact]
    public async Task Get_with_json_should_print_one_object_with_null_for_a_missing_key()
    {
        await RunAsync("put", "k", "välue");

        var get = await RunAsync("get", "--json", "k", "m");

        Assert.Equal(CommandLine.NotFound, get.Exit);
        using var json = JsonDocument.Parse(get.Output);
        var values = json.RootElement.GetProperty("values");
        Assert.Equal("välue", values.GetProperty("k").GetString());
        Assert.Equal(JsonValueKind.Null, values.GetProperty("m").ValueKind);
    }

    [Fact]
    public async Task Remove_should_print_a_later_revision_and_the_key_should_then_be_missing()
    {
        var put = await RunAsync("put", "--json", "gone", "soon");
        var remove = await RunAsync("remove", "--json", "gone");
        var get = await RunAsync("get", "gone");

        Assert.Equal(CommandLine.Ok, remove.Exit);
        Assert.True(Revision(remove.Output) > Revision(put.Output));
        Assert.Equal(["gone\t(missing)"], Lines(get.Output));
        Assert.Equal(CommandLine.NotFound, get.Exit);

        static long Revision(string output)
        {
            using var json = JsonDocument.Parse(output);
            return json.RootElement.GetProperty("revision").GetInt64();
        }
    }

    [Fact]
    public async Task Base64_keys_and_values_should_round_trip_any_bytes()
    {
        var key = Convert.ToBase64String([0, 1, 0x23, 0xFF]);
        var value = Convert.ToBase64String([0x23, 0x0A, 0x09, 0x00]);

        var put = await RunAsync("put", "--base64", key, value);
        var get = await RunAsync("get", "--base64", key);

        Assert.Equal(CommandLine.Ok, put.Exit);
        Assert.Equal([$"{key}\t{value}"], Lines(get.Output));
    }

    [Fact]
    public async Task A_key_starting_with_dashes_should_be_given_after_double_dash()
    {
        await RunAsync("put", "--", "--odd", "value");

        var get = await RunAsync("get", "--", "--odd");

        Assert.Equal(["--odd\tvalue"], Lines(get.Output));
    }

    [Fact]
    public async Task Lock_should_print_a_prefix_and_a_token_and_keep_the_lease_after_exit()
    {
        var first = await RunAsync("lock");
        var second = await RunAsync("lock", "--json");

        Assert.Equal((CommandLine.Ok, string.Empty), (first.Exit, first.Error));
        var fields = Assert.Single(Lines(first.Output)).Split('\t');
        Assert.Equal(2, fields.Length);
        var prefix = int.Parse(fields[0], CultureInfo.InvariantCulture);
        Assert.NotEmpty(Convert.FromBase64String(fields[1]));

        // The first lease outlives its connection for the grace period, so the second lock gets another prefix.
        using var json = JsonDocument.Parse(second.Output);
        Assert.NotEqual(prefix, json.RootElement.GetProperty("prefix").GetInt32());
        Assert.NotEmpty(Convert.FromBase64String(json.RootElement.GetProperty("leaseToken").GetString()!));
    }

    [Fact]
    public async Task Lock_with_hold_should_keep_the_lease_until_stopped_then_exit_0()
    {
        using var stop = new CancellationTokenSource();
        var output = new LineWriter();
        var error = new LineWriter();

        var run = CommandLine.RunAsync(["lock", "--hold", "--url", Url], output, error, stop.Token);
        var line = await output.ReadLineAsync();
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();

        Assert.Equal(CommandLine.Ok, await run.WaitAsync(Bound));
        Assert.Matches(@"^\d+\t\S+$", line);
        Assert.Empty(error.ToString());
    }

    [Fact]
    public async Task Watch_should_print_each_change_with_its_revision_and_stop_cleanly()
    {
        await using var watch = WatchInProcess("users/");
        await watch.WaitUntilWatchingAsync();

        var put = await RunAsync("put", "users/ada", "Ada", "orders/1", "ignored");
        var remove = await RunAsync("remove", "users/ada");

        Assert.Equal($"{put.Output.Trim()}\tusers/ada\tAda", await watch.Output.ReadLineAsync());
        Assert.Equal($"{remove.Output.Trim()}\tusers/ada\t(removed)", await watch.Output.ReadLineAsync());
        Assert.Equal(CommandLine.Ok, await watch.StopAsync());
        Assert.Empty(watch.Output.Remaining());
    }

    [Fact]
    public async Task Watch_since_a_revision_should_replay_the_changes_after_it_as_json_lines()
    {
        var before = await RunAsync("put", "a/1", "one");
        var after = await RunAsync("put", "a/2", "two");

        await using var watch = WatchInProcess("--json", "--since", before.Output.Trim(), "a/");
        using var json = JsonDocument.Parse(await watch.Output.ReadLineAsync());

        Assert.Equal("change", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(long.Parse(after.Output, CultureInfo.InvariantCulture), json.RootElement.GetProperty("revision").GetInt64());
        var change = Assert.Single(json.RootElement.GetProperty("changes").EnumerateArray());
        Assert.Equal("a/2", change.GetProperty("key").GetString());
        Assert.Equal("two", change.GetProperty("value").GetString());
        Assert.False(change.GetProperty("removed").GetBoolean());
    }

    [Fact]
    public async Task Reload_given_the_ws_url_should_reach_a_watcher_of_that_prefix()
    {
        await using var watch = WatchInProcess("users/");
        await watch.WaitUntilWatchingAsync();

        var reload = await RunAsync("reload", "users/admin/");

        Assert.Equal((CommandLine.Ok, "reload pushed to 1 subscription(s)"), (reload.Exit, reload.Output.Trim()));
        Assert.Equal("reload\tprefix\tusers/admin/", await watch.Output.ReadLineAsync());
    }

    [Fact]
    public async Task Reload_with_json_should_print_the_number_of_subscriptions()
    {
        var reload = await RunAsync("reload", "--json", "nobody/");

        using var json = JsonDocument.Parse(reload.Output);
        Assert.Equal(0, json.RootElement.GetProperty("subscriptions").GetInt32());
    }

    [Fact]
    public async Task A_request_the_server_refuses_should_exit_1_with_one_line_naming_the_error()
    {
        var put = await RunAsync("put", new string('k', 2000), "too long a key");

        Assert.Equal(CommandLine.Failed, put.Exit);
        var line = Assert.Single(Lines(put.Error));
        Assert.StartsWith("mwg put: the server refused: KeyTooLarge", line, StringComparison.Ordinal);
        Assert.Empty(put.Output);
    }

    [Theory]
    [InlineData("get", "k")]
    [InlineData("put", "k", "v")]
    [InlineData("remove", "k")]
    [InlineData("watch", "k")]
    [InlineData("lock")]
    [InlineData("reload", "k")]
    public async Task Every_client_command_against_no_server_should_exit_5_with_one_line(params string[] args)
    {
        var url = $"ws://127.0.0.1:{ClosedPort()}/";

        var result = await RunAsync([.. args, "--url", url]);

        Assert.Equal(CommandLine.CannotConnect, result.Exit);
        var line = Assert.Single(Lines(result.Error));
        Assert.StartsWith($"mwg {args[0]}: cannot ", line, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("get", "k")]
    [InlineData("reload", "k")]
    public async Task A_server_that_never_answers_should_exit_4_after_the_timeout(string command, string argument)
    {
        // Accepts connections (the kernel completes the handshake) but never answers a byte.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = $"ws://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";

        var result = await RunAsync(command, argument, "--url", url, "--timeout", "0.5");

        Assert.Equal(CommandLine.TimedOut, result.Exit);
        var line = Assert.Single(Lines(result.Error));
        Assert.StartsWith($"mwg {command}: no answer from ", line, StringComparison.Ordinal);
        Assert.Contains("0.5s", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("put", "only-a-key")]
    [InlineData("get")]
    [InlineData("remove")]
    [InlineData("watch")]
    [InlineData("lock", "extra")]
    [InlineData("get", "k", "--url", "ftp://host/")]
    [InlineData("get", "k", "--url", "not a url")]
    [InlineData("get", "k", "--timeout", "soon")]
    [InlineData("get", "k", "--colour", "red")]
    [InlineData("get", "--base64", "not*base64")]
    [InlineData("watch", "p", "--since", "-1")]
    public async Task Bad_arguments_should_exit_2_with_one_line_before_connecting(params string[] args)
    {
        var result = await RunAsync(args);

        Assert.Equal(CommandLine.Usage, result.Exit);
        var line = Assert.Single(Lines(result.Error));
        Assert.StartsWith($"mwg {args[0]}: ", line, StringComparison.Ordinal);
    }

    /// <summary>Runs a command to its end against the test server (unless the arguments name another --url).</summary>
    private async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] all = args.Contains("--url") ? args : [args[0], "--url", Url, .. args[1..]];

        var exit = await CommandLine.RunAsync(all, output, error).WaitAsync(Bound);
        return (exit, output.ToString(), error.ToString());
    }

    private InProcessWatch WatchInProcess(params string[] args) => new([.. args, "--url", Url]);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A port nothing listens on: bound, read back and released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>mwg watch</c> running in-process until stopped (what Ctrl-C does).</summary>
    private sealed class InProcessWatch : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<int> _run;

        public InProcessWatch(string[] args) => _run = CommandLine.RunAsync(["watch", .. args], Output, Error, _stop.Token);

        public LineWriter Output { get; } = new();

        public LineWriter Error { get; } = new();

        /// <summary>Waits for the line that says the subscription is in place.</summary>
        public async Task WaitUntilWatchingAsync() =>
            Assert.StartsWith("mwg watch: watching from revision ", await Error.ReadLineAsync(), StringComparison.Ordinal);

        public async Task<int> StopAsync()
        {
            await _stop.CancelAsync();
            return await _run.WaitAsync(Bound);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
