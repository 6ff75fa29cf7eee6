using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Locks;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// Three actor systems in this process on 127.0.0.1 (port 0), joined into one cluster, sharing one journal: a SQLite
/// file through Akka.Persistence.Sql. A and B are gateway and storage nodes with their own RocksDB views; C is a
/// gateway only, so its reads go to the view of another node. A is the oldest, so the writer and the lock table run
/// there. Shared by the specs of a class (forming a cluster takes seconds).
/// </summary>
public sealed class ThreeNodeCluster : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mwg-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly List<ActorSystem> _nodes = [];

    public ActorSystem A => _nodes[0];

    public ActorSystem B => _nodes[1];

    public ActorSystem C => _nodes[2];

    public IReadOnlyList<ActorSystem> Nodes => _nodes;

    public string JournalConnectionString => $"Data Source={Path.Combine(_folder, "journal.db")}";

    public static MwgActorsExtension Mwg(ActorSystem node) => MwgActorsExtension.Get(node);

    /// <summary>The configuration of one in-process node: the shared SQLite journal, its own view folder.</summary>
    public Config NodeConfig(string name, string roles) => ConfigurationFactory.ParseString($$"""
        akka.cluster.roles = [{{roles}}]
        mwg.cluster.enabled = on
        mwg.cluster.journal.connection-string = "{{JournalConnectionString}}"
        mwg.cluster.journal.provider-name = "SQLite.MS"
        mwg.cluster.read-wait-timeout = 3s
        mwg.storage.path = "{{Path.Combine(_folder, name).Replace("\\", "/", StringComparison.Ordinal)}}"
        mwg.storage.readers = 2
        mwg.locks.grace-period = 5s
        akka.loglevel = {{Environment.GetEnvironmentVariable("MWG_TEST_LOGLEVEL") ?? "WARNING"}}
        akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.split-brain-resolver.stable-after = 5s
        akka.cluster.down-removal-margin = 1s
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);

        // WAL lets the writer's node write while the other nodes read the same file.
        using (var connection = new SqliteConnection(JournalConnectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }

        foreach (var (name, roles) in new[] { ("a", "gateway, storage"), ("b", "gateway, storage"), ("c", "gateway") })
        {
            var node = ActorSystem.Create("mwg", MwgConfig.Build(NodeConfig(name, roles)));
            _nodes.Add(node);
            _ = Mwg(node);

            // A first, then the others join it: A is the oldest storage node.
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var cluster = Akka.Cluster.Cluster.Get(node);
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            cluster.Join(Akka.Cluster.Cluster.Get(A).SelfAddress);
            await up.Task.WaitAsync(StartTimeout);
        }

        using var timeout = new CancellationTokenSource(StartTimeout);
        await Task.WhenAll(_nodes.Select(n => Mwg(n).WaitUntilReadyAsync(StartTimeout, timeout.Token)));

        // Ready to serve reads is not yet ready to write: each node also waits until it has found the writer and the lock
        // table (they answer Unavailable until then, by design).
        foreach (var node in _nodes)
        {
            await UntilAvailableAsync(() => Mwg(node).Store.WriteAsync([], timeout.Token), timeout.Token);
            await UntilAvailableAsync(() => Mwg(node).Locks.Ask<LockProtocol.LeaseList>(LockProtocol.GetLeases.Instance, TimeSpan.FromSeconds(5), timeout.Token), timeout.Token);
        }
    }

    /// <summary>Retries <paramref name="call"/> while it fails as unavailable (as the .NET client does for its callers).</summary>
    public static async Task UntilAvailableAsync(Func<Task> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await call();
                return;
            }
            catch (Exception ex) when (ex is MwgApiException or InvalidCastException or AskTimeoutException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public async Task DisposeAsync()
    {
        // One at a time, youngest first: each leaves a cluster that can still agree on its leaving.
        foreach (var node in _nodes.AsEnumerable().Reverse())
        {
            await node.Terminate();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A RocksDB handle released late; the temp folder is left behind.
        }
    }
}
