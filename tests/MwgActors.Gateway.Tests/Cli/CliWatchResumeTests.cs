using MwgActors.Tool.Cli;

namespace MwgActors.Gateway.Tests;

/// <summary><c>mwg watch</c> across a server restart: it says so on stderr, reconnects and resumes without repeating a change.</summary>
public sealed class CliWatchResumeTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;
    private string _data = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _data = _server.DataPath;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Watch_should_resume_after_a_server_restart_and_print_each_change_once()
    {
        var url = _server.Uri.ToString();
        var port = _server.Server.Port;
        using var stop = new CancellationTokenSource();
        var output = new LineWriter();
        var error = new LineWriter();
        var watch = CommandLine.RunAsync(["watch", "k/", "--url", url], output, error, stop.Token);
        Assert.StartsWith("mwg watch: watching from revision ", await error.ReadLineAsync(), StringComparison.Ordinal);

        var first = await PutAsync(url, "k/1", "before");
        Assert.Equal($"{first}\tk/1\tbefore", await output.ReadLineAsync());

        await _server.StopKeepingDataAsync();
        Assert.Equal("mwg watch: connection lost; reconnecting", await error.ReadLineAsync());
        _server = await TestServer.StartAsync($"mwg.server.port = {port}", _data);
        Assert.Equal($"mwg watch: reconnected; resuming after revision {first}", await error.ReadLineAsync());

        var second = await PutAsync(url, "k/2", "after");
        Assert.Equal($"{second}\tk/2\tafter", await output.ReadLineAsync());

        await stop.CancelAsync();
        Assert.Equal(CommandLine.Ok, await watch.WaitAsync(Bound));
        Assert.Empty(output.Remaining());
    }

    private static async Task<string> PutAsync(string url, string key, string value)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(["put", key, value, "--url", url], output, error).WaitAsync(Bound);
        Assert.True(exit == CommandLine.Ok, error.ToString());
        return output.ToString().Trim();
    }
}
