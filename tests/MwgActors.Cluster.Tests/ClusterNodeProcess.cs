using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// One cluster node as a child process: <c>dotnet mwg.dll serve --cluster ...</c> on port 0 for websockets and for the
/// cluster, with both addresses read back from its output. <see cref="KillAsync"/> is SIGKILL (no shutdown code runs),
/// <see cref="TerminateAsync"/> is SIGTERM (a graceful leave).
/// </summary>
internal sealed partial class ClusterNodeProcess : IAsyncDisposable
{
    /// <summary>The tool's mwg.dll, copied next to the test assembly (src/Tool is referenced).</summary>
    private static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "mwg.dll");

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly List<Task> _pumps = [];

    private ClusterNodeProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public Uri Uri { get; private set; } = null!;

    /// <summary>HOST:PORT of the node's cluster endpoint, to give other nodes as --seed.</summary>
    public string Seed { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="TerminateAsync"/> or <see cref="WaitForExitAsync"/> returned.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The node's output so far (stdout and stderr), for a failure message.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<ClusterNodeProcess> StartAsync(string name, string config, string journal, string dataPath, params string[] seeds)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var arguments = new List<string>
        {
            DllPath, "serve", "--cluster", "--config", config, "--journal", journal,
            "--port", "0", "--cluster-port", "0", "--data", dataPath,
        };
        foreach (var seed in seeds)
        {
            arguments.AddRange(["--seed", seed]);
        }

        arguments.ForEach(info.ArgumentList.Add);
        var node = new ClusterNodeProcess(name, Process.Start(info) ?? throw new InvalidOperationException("could not start mwg serve"));
        try
        {
            await node.ReadAddressesAsync().WaitAsync(StartTimeout);
        }
        catch
        {
            await node.KillAsync();
            throw;
        }

        return node;
    }

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

    /// <summary>SIGTERM, as a service manager stops it, then waits for the graceful stop to finish.</summary>
    public async Task TerminateAsync()
    {
        await SignalAsync("TERM");
        await WaitForExitAsync(StartTimeout);
    }

    /// <summary>Sends a signal (TERM, STOP, CONT ...) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits until the process has exited and all its output is read.</summary>
    public async Task WaitForExitAsync(TimeSpan bound)
    {
        await _process.WaitForExitAsync().WaitAsync(bound);
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps).WaitAsync(bound);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private async Task ReadAddressesAsync()
    {
        Pump(Task.Run(async () =>
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                _output.Enqueue(line);
            }
        }));

        Uri? uri = null;
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _output.Enqueue(line);
            if (Listening().Match(line) is { Success: true } listening)
            {
                uri = new Uri(listening.Groups[1].Value);
            }
            else if (ClusterNode().Match(line) is { Success: true } node && uri is not null)
            {
                Uri = uri;
                Seed = node.Groups[1].Value;
                Pump(Task.Run(async () =>
                {
                    while (await _process.StandardOutput.ReadLineAsync() is { } rest)
                    {
                        _output.Enqueue(rest);
                    }
                }));
                return;
            }
        }

        await _process.WaitForExitAsync();
        throw new InvalidOperationException($"node {Name} exited with {_process.ExitCode} before listening: {Output}");
    }

    private void Pump(Task pump)
    {
        lock (_pumps)
        {
            _pumps.Add(pump);
        }
    }

    [GeneratedRegex(@"^mwg listening on (ws://\S+/)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"^mwg cluster node akka\.tcp://mwg@(\S+:\d+) ")]
    private static partial Regex ClusterNode();
}
