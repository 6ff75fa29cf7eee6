using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// The real server as a child process: <c>dotnet mwg.dll serve --port 0 --data DIR</c>, with the port read back from
/// its "mwg listening on" line. <see cref="KillAsync"/> is SIGKILL: no shutdown code of the server runs.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors = new();

    private ServerProcess(Process process) => _process = process;

    public Uri Uri { get; private set; } = null!;

    /// <summary>The mwg.dll built next to this test assembly (src/Tool is referenced).</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "mwg.dll");

    public static async Task<ServerProcess> StartAsync(string dataPath)
    {
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

        var server = new ServerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start mwg serve"));
        try
        {
            server.Uri = await server.ReadUriAsync().WaitAsync(StartTimeout);
        }
        catch
        {
            await server.KillAsync();
            throw;
        }

        return server;
    }

    /// <summary>SIGKILL, then waits until the process is gone (its data folder lock is released by the kernel).</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await _process.WaitForExitAsync().WaitAsync(StartTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task<Uri> ReadUriAsync()
    {
        // Stderr is drained all along, so a chatty child never blocks on a full pipe.
        _ = Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                _errors.Enqueue(line);
            }
        });

        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                _ = Task.Run(async () =>
                {
                    while (await _process.StandardOutput.ReadLineAsync() is not null)
                    {
                    }
                });
                return new Uri(match.Groups[1].Value);
            }
        }

        await _process.WaitForExitAsync();
        throw new InvalidOperationException($"mwg serve exited with {_process.ExitCode} before listening: {string.Join(" | ", _errors)}");
    }

    [GeneratedRegex(@"^mwg listening on (ws://\S+/)")]
    private static partial Regex Listening();
}
