using MwgActors.Client;
using Xunit.Abstractions;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// Three (or another number of) <c>mwg serve --cluster</c> processes on 127.0.0.1 sharing a fresh PostgreSQL database.
/// Node 1 starts alone and forms the cluster (it is the oldest: the writer and the lock table start there); the others
/// join it.
/// Failure detection and downing are tight here (3 s heartbeat pause, 3 s stable-after, 1 s removal margin) so a
/// failover takes seconds; hocon/cluster.conf shows the values for a real deployment.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    private const string Config = """
        akka.loglevel = WARNING
        akka.cluster.failure-detector.heartbeat-interval = 1s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.split-brain-resolver.stable-after = 3s
        akka.cluster.down-removal-margin = 1s
        mwg.storage.readers = 2
        mwg.locks.grace-period = 60s
        """;

    private readonly string _folder;
    private readonly string _journal;
    private readonly ITestOutputHelper _output;

    private ProcessCluster(string folder, string journal, ITestOutputHelper output)
    {
        _folder = folder;
        _journal = journal;
        _output = output;
    }

    public List<ClusterNodeProcess> Nodes { get; } = [];

    public static async Task<ProcessCluster> StartAsync(ITestOutputHelper output, int nodes = 3)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mwg-failover-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "cluster.conf"), Config);
        var started = DateTime.UtcNow;
        var cluster = new ProcessCluster(folder, await Postgres.CreateDatabaseAsync(), output);
        try
        {
            output.WriteLine($"PostgreSQL ready in {(DateTime.UtcNow - started).TotalSeconds:F1} s");
            var first = await cluster.StartNodeAsync("node1");
            var others = await Task.WhenAll(Enumerable.Range(2, nodes - 1).Select(n => cluster.StartNodeTaskAsync($"node{n}", first.Seed)));
            cluster.Nodes.AddRange(others);
            output.WriteLine($"{nodes} nodes listening {(DateTime.UtcNow - started).TotalSeconds:F1} s after the start: {string.Join(", ", cluster.Nodes.Select(n => $"{n.Name} {n.Uri} cluster {n.Seed}"))}");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public ClusterNodeProcess this[int number] => Nodes[number - 1];

    public static MwgClientOptions ClientOptions(Uri url, params Uri[] fallbacks) => new()
    {
        Url = url,
        FallbackUrls = fallbacks,
        RequestTimeout = TimeSpan.FromSeconds(90),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
    };

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
        try
        {
            await Postgres.DropDatabaseAsync(_journal);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            _output.WriteLine($"could not drop the test database: {ex.Message}");
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder.
        }
    }

    /// <summary>The nodes' output, for a failure message.</summary>
    public string Logs() => string.Join("\n", Nodes.Select(n => $"--- {n.Name}\n{n.Output}"));

    private async Task<ClusterNodeProcess> StartNodeAsync(string name, params string[] seeds)
    {
        var node = await StartNodeTaskAsync(name, seeds);
        Nodes.Add(node);
        return node;
    }

    private Task<ClusterNodeProcess> StartNodeTaskAsync(string name, params string[] seeds) =>
        ClusterNodeProcess.StartAsync(name, Path.Combine(_folder, "cluster.conf"), _journal, Path.Combine(_folder, name), seeds);
}
