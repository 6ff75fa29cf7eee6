using System.Text.RegularExpressions;
using MwgActors.Tool.Cli;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The logs of a real <c>mwg serve</c> process: Akka's events come through Microsoft.Extensions.Logging, one line
/// each, and <c>--log-level</c> decides what is written.
/// </summary>
public sealed partial class ServeLoggingProcessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mwg-logging-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task By_default_information_events_should_be_written_one_line_each()
    {
        await using var serve = MwgProcess.Start("serve", "--port", "0", "--data", _folder);

        var startup = await serve.ReadLinesUntilAsync("mwg listening on ");
        await serve.InterruptAsync();
        var rest = await serve.ReadToEndAsync();

        Assert.Equal(CommandLine.Ok, await serve.WaitForExitAsync());
        var all = string.Join('\n', startup) + "\n" + rest;

        // The storage actor's Akka log event, bridged: timestamp, level, category (the actor class), the message.
        Assert.Matches(RecoveredLine(), all);
        Assert.Contains("info: Akka.Actor.CoordinatedShutdown[0] ", all, StringComparison.Ordinal);
        Assert.DoesNotContain("[INFO]", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_level_warning_should_write_no_information_lines()
    {
        await using var serve = MwgProcess.Start("serve", "--port", "0", "--data", _folder, "--log-level", "warning");

        var startup = await serve.ReadLinesUntilAsync("mwg listening on ");
        await serve.InterruptAsync();
        var rest = await serve.ReadToEndAsync();

        Assert.Equal(CommandLine.Ok, await serve.WaitForExitAsync());
        var lines = startup.Concat(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Contains(lines, l => l.StartsWith("mwg data in ", StringComparison.Ordinal));
        Assert.Contains("mwg stopped", lines);
        Assert.DoesNotContain(lines, l => l.Contains("info:", StringComparison.Ordinal) || l.Contains("Storage recovered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SIGTERM_should_stop_a_single_server_gracefully_with_exit_0()
    {
        await using var serve = MwgProcess.Start("serve", "--port", "0", "--data", _folder, "--log-level", "warning");

        await serve.ReadLinesUntilAsync("mwg listening on ");
        await serve.TerminateAsync();
        var rest = await serve.ReadToEndAsync();

        Assert.Equal(CommandLine.Ok, await serve.WaitForExitAsync());
        var lines = rest.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("mwg stopping: finishing requests in flight", lines);
        Assert.Contains("mwg stopped", lines);
        Assert.DoesNotContain(lines, l => l.Contains("cluster", StringComparison.Ordinal));
        Assert.Empty(await serve.ErrorAsync());
    }

    [Fact]
    public async Task A_bad_log_level_should_be_a_usage_error()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await CommandLine.RunAsync(["serve", "--port", "0", "--data", _folder, "--log-level", "loud"], output, error);

        Assert.Equal(CommandLine.Usage, exit);
        Assert.Empty(output.ToString());
        Assert.Equal("mwg serve: --log-level must be one of trace, debug, information, warning, error, critical, none, not 'loud'", error.ToString().Trim());
    }

    [GeneratedRegex(@"(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: MwgActors\.Actors\.Storage\.StorageActor\[0\] Storage recovered at revision 0 \(view at 0\)$")]
    private static partial Regex RecoveredLine();
}
