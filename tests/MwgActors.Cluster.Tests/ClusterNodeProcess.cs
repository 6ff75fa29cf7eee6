using System.Text.RegularExpressions;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// One cluster node as a child process: <c>mwg serve --cluster ...</c> on port 0 for websockets and for the cluster,
/// with both addresses read back from its output. <see cref="KillAsync"/> is SIGKILL (no shutdown code runs),
/// <see cref="TerminateAsync"/> is SIGTERM (a graceful leave).
/// </summary>
internal sealed partial class ClusterNodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly MwgProcess _process;

    private ClusterNodeProcess(string name, MwgProcess process, string seed)
    {
        Name = name;
        _process = process;
        Seed = seed;
    }

    public string Name { get; }

    public Uri Uri => _process.Uri;

    /// <summary>HOST:PORT of the node's cluster endpoint, to give other nodes as --seed.</summary>
    public string Seed { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="TerminateAsync"/> or <see cref="WaitForExitAsync"/> returned.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The node's output so far (stdout and stderr), for a failure message.</summary>
    public string Output => _process.Transcript;

    public static async Task<ClusterNodeProcess> StartAsync(string name, string config, string journal, string dataPath, params string[] seeds)
    {
        var arguments = new List<string> { "--cluster", "--config", config, "--journal", journal, "--cluster-port", "0" };
        foreach (var seed in seeds)
        {
            arguments.AddRange(["--seed", seed]);
        }

        var process = await MwgProcess.StartServeAsync(dataPath, new MwgProcessOptions { Bound = StartTimeout }, [.. arguments]);
        try
        {
            var line = await process.ReadUntilAsync(l => ClusterNode().IsMatch(l), StartTimeout);
            return new ClusterNodeProcess(name, process, ClusterNode().Match(line).Groups[1].Value);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM, as a service manager stops it, then waits for the graceful stop to finish.</summary>
    public async Task TerminateAsync()
    {
        await SignalAsync("TERM");
        await WaitForExitAsync(StartTimeout);
    }

    /// <summary>Sends a signal (TERM, STOP, CONT ...) with kill(1).</summary>
    public Task SignalAsync(string signal) => _process.SignalAsync(signal);

    /// <summary>Waits until the process has exited and all its output is read.</summary>
    public Task WaitForExitAsync(TimeSpan bound) => _process.WaitForExitAsync(bound);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"^mwg cluster node akka\.tcp://mwg@(\S+:\d+) ")]
    private static partial Regex ClusterNode();
}
