using MwgActors.Tool.Cli;
using Xunit.Abstractions;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// How a cluster node's process ends, as a service manager reads it: a graceful stop (SIGTERM) leaves the cluster and
/// exits 0 with its own line; a node the others downed exits 1, to be restarted.
/// </summary>
public sealed class NodeExitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly ITestOutputHelper _output;

    public NodeExitTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task SIGTERM_should_leave_the_cluster_gracefully_and_exit_0()
    {
        await using var cluster = await ProcessCluster.StartAsync(_output, nodes: 2);

        // As scripts/cluster-local.sh stops a cluster: the youngest first, then the one that formed it.
        foreach (var node in new[] { cluster[2], cluster[1] })
        {
            await node.TerminateAsync();

            Assert.True(CommandLine.Ok == node.ExitCode, $"{node.Name} exited with {node.ExitCode}:\n{cluster.Logs()}");
            Assert.Contains("mwg left the cluster gracefully", node.Output, StringComparison.Ordinal);
            Assert.Contains("mwg stopped", node.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("downed or removed", node.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_node_downed_by_the_others_should_exit_1()
    {
        await using var cluster = await ProcessCluster.StartAsync(_output);
        var downed = cluster[3];

        // Frozen, node 3 stops answering heartbeats: the two others (the majority) down it. Resumed, it learns it was
        // downed (or finds itself a minority and downs itself): either way the others removed it, not a stop signal.
        await downed.SignalAsync("STOP");
        try
        {
            await UntilAsync(() => cluster[1].Output.Contains("is downing", StringComparison.Ordinal) || cluster[2].Output.Contains("is downing", StringComparison.Ordinal), cluster);
        }
        finally
        {
            await downed.SignalAsync("CONT");
        }

        await downed.WaitForExitAsync(Bound);

        Assert.True(CommandLine.Failed == downed.ExitCode, $"node 3 exited with {downed.ExitCode}:\n{cluster.Logs()}");
        Assert.Contains("mwg serve: the node left the cluster (downed or removed); stopping", downed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("left the cluster gracefully", downed.Output, StringComparison.Ordinal);
        Assert.False(cluster[1].HasExited);
        Assert.False(cluster[2].HasExited);
    }

    private static async Task UntilAsync(Func<bool> condition, ProcessCluster cluster)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"the majority did not down node 3 within {Bound}:\n{cluster.Logs()}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        }
    }
}
