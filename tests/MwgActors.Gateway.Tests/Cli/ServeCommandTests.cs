using MwgActors.Tool.Cli;
using MwgActors.Storage.Tests;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// <c>mwg serve</c> run in-process: a startup that cannot succeed prints one line saying why (no stack trace)
/// and exits non-zero, instead of serving.
/// </summary>
public sealed class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mwg-serve-" + Guid.NewGuid().ToString("N"));

    public ServeCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("mwg.storage.readers = 0", "mwg.storage.readers")]
    [InlineData("mwg.storage.readers = [1,", "mwg.storage.readers")]
    [InlineData("mwg.persistence.journal.sync-writes = maybe", "mwg.persistence.journal.sync-writes")]
    [InlineData("mwg.storage.durability = sometimes", "mwg.storage.durability")]
    [InlineData("mwg.connection.outbound-overflow = drop", "mwg.connection.outbound-overflow")]
    [InlineData("mwg.locks.grace-period = soon", "mwg.locks.grace-period")]
    [InlineData("mwg.server.port = 70000", "mwg.server.port")]
    [InlineData("mwg.server.port = many", "mwg.server.port")]
    [InlineData("mwg.server.bind = \"not an address\"", "mwg.server.bind")]
    [InlineData("mwg.server.shutdown-timeout = soon", "mwg.server.shutdown-timeout")]
    public async Task Serve_with_a_bad_setting_should_print_one_line_naming_it_and_fail(string setting, string path)
    {
        var config = Path.Combine(_folder, "bad.conf");
        // Port 0 first, so a bad port below overrides it; the file is the only source of the setting.
        await File.WriteAllTextAsync(config, "mwg.server.port = 0\n" + setting);

        var (exit, output, error) = await ServeAsync("--config", config);

        Assert.NotEqual(CommandLine.Ok, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("mwg serve: ", line, StringComparison.Ordinal);
        Assert.Contains(path, line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Serve_with_a_missing_config_file_should_print_one_line_naming_it_and_fail()
    {
        var missing = Path.Combine(_folder, "missing.conf");

        var (exit, output, error) = await ServeAsync("--port", "0", "--config", missing);

        Assert.Equal(CommandLine.Usage, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("mwg serve: ", line, StringComparison.Ordinal);
        Assert.Contains(missing, line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Serve_on_a_data_folder_held_by_another_process_should_say_it_is_in_use_and_fail()
    {
        var data = Path.Combine(_folder, "data");
        await using var holder = ChildProcess.Start(["hold-rocksdb", data]);
        Assert.Equal("ready", await holder.ReadLineAsync());

        var (exit, output, error) = await ServeAsync("--port", "0", "--data", data);

        Assert.Equal(CommandLine.Failed, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("mwg serve: ", line, StringComparison.Ordinal);
        Assert.Contains("already in use", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Serve_on_an_address_this_machine_does_not_have_should_print_one_line_and_fail()
    {
        // 192.0.2.0/24 is documentation space: no interface has it, so the listen fails (EADDRNOTAVAIL).
        var (exit, output, error) = await ServeAsync("--bind", "192.0.2.10", "--insecure", "--port", "0");

        Assert.Equal(CommandLine.Failed, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("mwg serve: ", line, StringComparison.Ordinal);
        Assert.Contains("192.0.2.10", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    /// <summary>Runs <c>mwg serve --data (temp)</c> with the arguments; bounded, since a serve that starts never returns.</summary>
    private async Task<(int Exit, string Output, string Error)> ServeAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = ["serve", .. arguments];
        if (!arguments.Contains("--data"))
        {
            args = [.. args, "--data", Path.Combine(_folder, "data")];
        }

        var exit = await CommandLine.RunAsync(args, output, error).WaitAsync(Bound);
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
