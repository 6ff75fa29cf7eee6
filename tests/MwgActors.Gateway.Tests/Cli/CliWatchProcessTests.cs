using MwgActors.Tool.Cli;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The real <c>mwg</c> executable in separate processes: <c>watch</c> in one sees the <c>put</c> made by another,
/// with its revision, and Ctrl-C (SIGINT) ends it cleanly.
/// </summary>
public sealed class CliWatchProcessTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Watch_in_one_process_should_print_a_put_made_by_another_with_its_revision_until_sigint()
    {
        var url = _server.Uri.ToString();
        await using var watch = MwgProcess.Start("watch", "users/", "--url", url);
        Assert.StartsWith("mwg watch: watching from revision ", await watch.ReadErrorLineAsync(), StringComparison.Ordinal);

        var put = await MwgProcess.RunAsync("put", "users/ada", "Ada Lovelace", "--url", url);

        Assert.Equal((CommandLine.Ok, string.Empty), (put.Exit, put.Error));
        Assert.Equal($"{put.Output.Trim()}\tusers/ada\tAda Lovelace", await watch.ReadLineAsync());

        await watch.InterruptAsync();
        Assert.Equal(CommandLine.Ok, await watch.WaitForExitAsync());
        Assert.DoesNotContain("Exception", await watch.ErrorAsync(), StringComparison.Ordinal);
    }
}
