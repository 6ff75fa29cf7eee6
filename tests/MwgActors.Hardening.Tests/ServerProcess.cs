using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// The real server as a child process: <c>dotnet mwg.dll serve --port 0 --data DIR [--config FILE]</c>, with the port
/// read back from its "mwg listening on" line. <see cref="KillAsync"/> is SIGKILL: no shutdown code of the server runs.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _output = new();
    private int _outOfMemory;
    private string? _firstOutOfMemory;

    private ServerProcess(Process process) => _process = process;

    public Uri Uri { get; private set; } = null!;

    /// <summary>The mwg.dll built next to this test assembly (src/Tool is referenced).</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "mwg.dll");

    public int Pid => _process.Id;

    /// <summary>True once the server process has ended, whatever the reason (a crash, an out-of-memory abort).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>How the process ended and the last lines it wrote to stderr, for a failure message.</summary>
    public string ExitReport => _process.HasExited
        ? $"mwg serve exited with code {_process.ExitCode}; last stderr lines: {string.Join(" | ", _errors.TakeLast(20))}; "
            + $"last stdout lines: {string.Join(" | ", _output.TakeLast(10))}"
        : "mwg serve is running";

    /// <summary>Lines of its stdout and stderr (logs, a crash report) that name an OutOfMemoryException.</summary>
    public int OutOfMemoryReports => Volatile.Read(ref _outOfMemory);

    /// <summary>The first of those lines, cut to a readable length.</summary>
    public string? FirstOutOfMemoryReport => _firstOutOfMemory is { } line && line.Length > 1200 ? line[..1200] + "..." : _firstOutOfMemory;

    /// <summary>Resident and peak resident memory of the server (VmRSS, VmHWM from /proc), for the test's output.</summary>
    public string MemoryReport()
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status");
            return string.Join(", ", status.Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal) || l.StartsWith("VmHWM:", StringComparison.Ordinal))
                .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }
        catch (IOException)
        {
            return "memory unknown (no /proc entry: the process is gone or this is not Linux)";
        }
    }

    /// <param name="configPath">A HOCON file passed as <c>--config</c>, or null.</param>
    /// <param name="environment">Variables set for the child only (e.g. <c>DOTNET_GCHeapHardLimit</c>).</param>
    public static async Task<ServerProcess> StartAsync(string dataPath, string? configPath = null, IReadOnlyDictionary<string, string>? environment = null)
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

        if (configPath is not null)
        {
            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(configPath);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
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
                Keep(_errors, line);
            }
        });

        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                _ = Task.Run(async () =>
                {
                    while (await _process.StandardOutput.ReadLineAsync() is { } rest)
                    {
                        Keep(_output, rest);
                    }
                });
                return new Uri(match.Groups[1].Value);
            }
        }

        await _process.WaitForExitAsync();
        throw new InvalidOperationException($"mwg serve exited with {_process.ExitCode} before listening: {string.Join(" | ", _errors)}");
    }

    /// <summary>Keeps the last lines only: they say why the server died, and a logging storm must not grow the test.</summary>
    private void Keep(ConcurrentQueue<string> lines, string line)
    {
        if (line.Contains("OutOfMemoryException", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _outOfMemory);
            Interlocked.CompareExchange(ref _firstOutOfMemory, line, null);
        }

        lines.Enqueue(line);
        while (lines.Count > 200)
        {
            lines.TryDequeue(out _);
        }
    }

    [GeneratedRegex(@"^mwg listening on (ws://\S+/)")]
    private static partial Regex Listening();
}
