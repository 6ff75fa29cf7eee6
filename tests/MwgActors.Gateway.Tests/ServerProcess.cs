using System.Diagnostics;
using System.Reflection;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// <c>mwg serve</c> as a process of its own on 127.0.0.1 port 0 over a temporary data folder, for tests that read the
/// server's memory from /proc (in-process, the test's own allocations would be counted). Killed and removed on dispose.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const string ListeningOn = "mwg listening on ";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string _dataPath;

    private ServerProcess(Process process, string dataPath, Uri uri)
    {
        _process = process;
        _dataPath = dataPath;
        Uri = uri;
    }

    public Uri Uri { get; }

    public int Pid => _process.Id;

    private static string DllPath { get; } =
        typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "MwgActors.Server").Value
        ?? throw new InvalidOperationException("the test assembly does not name the server's dll");

    public static async Task<ServerProcess> StartAsync()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "mwg-proc-" + Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { DllPath, "serve", "--port", "0", "--data", dataPath })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start mwg serve");
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith(ListeningOn, StringComparison.Ordinal))
                {
                    var url = line[ListeningOn.Length..].Split(' ')[0];

                    // Nobody reads the rest of its output: drain it so the server never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return new ServerProcess(process, dataPath, new Uri(url));
                }
            }

            throw new InvalidOperationException("mwg serve ended before listening: " + await process.StandardError.ReadToEndAsync(timeout.Token));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _process.Dispose();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
