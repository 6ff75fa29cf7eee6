using Akka.Configuration;
using MwgActors.Tool.Cli;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A server bound beyond loopback without TLS and without authentication (mwg.auth) refuses to
/// start with one line, unless the operator says --insecure. Binds only 0.0.0.0 or 127.0.0.1 on port 0.
/// </summary>
public sealed class SecureByDefaultTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mwg-secure-" + Guid.NewGuid().ToString("N"));
    private readonly TestCertificate _certificate = TestCertificate.Create();

    public SecureByDefaultTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        _certificate.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Plain_text_bind_beyond_loopback_should_refuse_to_start_with_one_line()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => TestServer.StartAsync("mwg.server.bind = \"0.0.0.0\"", DataPath()));

        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("0.0.0.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("--insecure", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataPath()), "nothing should be opened before the refusal");
    }

    [Fact]
    public async Task Plain_text_bind_beyond_loopback_should_start_when_insecure_is_on()
    {
        await using var server = await TestServer.StartAsync("""
            mwg.server.bind = "0.0.0.0"
            mwg.server.insecure = on
            """);

        Assert.True(server.Server.ExposedInPlainText);
        Assert.Equal("ws", server.Uri.Scheme);
    }

    [Fact]
    public async Task Bind_beyond_loopback_with_TLS_should_start_without_insecure()
    {
        await using var server = await TestServer.StartAsync($"""
            mwg.server.bind = "0.0.0.0"
            mwg.server.tls.enabled = on
            mwg.server.tls.pfx = "{_certificate.Pfx}"
            mwg.server.tls.pfx-password = "{TestCertificate.PfxPassword}"
            """);

        Assert.False(server.Server.ExposedInPlainText);
        Assert.Equal("wss", server.Uri.Scheme);
    }

    [Fact]
    public async Task Serve_on_0_0_0_0_without_TLS_should_print_one_line_and_exit_non_zero()
    {
        var (exit, output, error) = await ServeAsync("--bind", "0.0.0.0", "--port", "0");

        Assert.Equal(CommandLine.Failed, exit);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("mwg serve: refusing to listen on 0.0.0.0", line, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task Serve_with_insecure_should_get_past_the_refusal()
    {
        // A setting checked after the refusal fails instead: proof that --insecure lifted it, without serving forever.
        var config = Path.Combine(_folder, "late-error.conf");
        await File.WriteAllTextAsync(config, "mwg.storage.readers = 0");

        var (exit, _, error) = await ServeAsync("--bind", "0.0.0.0", "--port", "0", "--insecure", "--config", config);

        Assert.Equal(CommandLine.Failed, exit);
        Assert.Contains("mwg.storage.readers", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_a_value_after_insecure_should_be_a_usage_error()
    {
        var (exit, _, error) = await ServeAsync("--bind", "0.0.0.0", "--port", "0", "--insecure", "maybe");

        Assert.Equal(CommandLine.Usage, exit);
        Assert.Contains("--insecure", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    private string DataPath() => Path.Combine(_folder, "data");

    private async Task<(int Exit, string Output, string Error)> ServeAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] args = ["serve", .. arguments, "--data", DataPath()];
        var exit = await CommandLine.RunAsync(args, output, error).WaitAsync(TimeSpan.FromSeconds(10));
        return (exit, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
