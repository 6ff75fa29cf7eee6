using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Pattern;
using MwgActors.Actors.Api;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Locks;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Storage;
using MwgActors.Storage.Memory;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Actors.Hosting;

/// <summary>
/// MwgActors inside an actor system: starts the storage, subscription and lock actors once per system and hands
/// out their references and the in-process API. Either create the system with <see cref="MwgConfig.Build"/>, or
/// attach to a system the app already has with
/// <see cref="MwgActorSystemExtensions.UseMwgActors(ActorSystem, MwgActorsOptions)"/> (docs/embedding.md); on a
/// system with no <c>mwg</c> configuration at all, <see cref="Get"/> adds the reference configuration itself (and so
/// a RocksDB store in ./data).
/// </summary>
/// <remarks>
/// In cluster mode (<c>mwg.cluster.enabled</c>, docs/cluster.md) the same references lead to cluster-aware actors:
/// <see cref="Storage"/> is a <see cref="WriterClientActor"/> (writes to the writer singleton, reads to a view),
/// <see cref="Locks"/> a <see cref="LockClientActor"/> (to the lock table singleton), and the bus is DistributedPubSub.
/// A storage node also runs its view (/user/mwg-view) and the two singleton managers (/user/mwg-writer,
/// /user/mwg-lock-table), which start the writer and the lock table on the oldest storage node.
/// </remarks>
public sealed class MwgActorsExtension : IExtension
{
    public MwgActorsExtension(ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        // A system the app made without MwgActors in mind gets the reference, the serializers and the plugins here.
        MwgActorSystemExtensions.Configure(system, Config.Empty);

        var config = system.Settings.Config;
        StorageSettings = StorageSettings.Create(config);
        ConnectionSettings = ConnectionSettings.Create(config);
        var subscriptionSettings = SubscriptionSettings.Create(config);
        var lockSettings = LockSettings.Create(config);
        var apiSettings = ApiSettings.Create(config);
        ClusterSettings = ClusterSettings.Create(config);
        Metrics = MwgMetrics.Get(system);
        if (StorageSettings.Store == StoreKind.RocksDb && (!ClusterSettings.Enabled || ClusterSettings.IsStorage))
        {
            Metrics.ObserveRocksDb(Path.GetFullPath(StorageSettings.DataPath));
        }

        // Holds the data folder open for the system's lifetime: "already in use" fails here, before any actor
        // starts, and the view, the journal and the snapshot store share this one open database. A cluster node
        // without the storage role keeps no view, so it has no data folder.
        var dataFolder = !ClusterSettings.Enabled || ClusterSettings.IsStorage ? OpenDataFolder(StorageSettings) : null;
        if (dataFolder is not null)
        {
            system.RegisterOnTermination(dataFolder.Release);
        }

        if (ClusterSettings.Enabled)
        {
            (Bus, Storage, Locks) = StartClusterNode(system, ClusterSettings, StorageSettings, subscriptionSettings, lockSettings);
        }
        else
        {
            Bus = new LocalChangeBus(system);

            // The storage and lock actors stop when their journal fails; a backoff supervisor starts them again,
            // and they recover from the journal. Messages sent to the supervisor reach the current child.
            Storage = system.ActorOf(Supervised(StorageActor.Props(StorageSettings, OpenStore(StorageSettings), Bus), "storage"), "mwg-storage");
            Locks = system.ActorOf(Supervised(LockActor.Props(lockSettings), "locks"), "mwg-locks");
        }

        // The subscription actor holds its subscriptions in memory only: an exception resumes it (dropping the one
        // message) rather than restarting it empty, which would leave connections subscribed to nothing.
        Subscriptions = system.ActorOf(
            BackoffSupervisor.Props(Backoff.OnStop(SubscriptionActor.Props(subscriptionSettings, Bus), "subscriptions", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)
                .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume))),
            "mwg-subscriptions");
        Store = new MwgStore(system, Storage, Subscriptions, apiSettings);

        // Connection actors live under one parent that stops, never restarts, a connection that fails.
        Connections = system.ActorOf(ConnectionsParentActor.Props(), "mwg-connections");
    }

    public StorageSettings StorageSettings { get; }

    public ConnectionSettings ConnectionSettings { get; }

    /// <summary>Cluster mode and this node's roles (<c>mwg.cluster</c>, <c>akka.cluster.roles</c>).</summary>
    public ClusterSettings ClusterSettings { get; }

    public IChangeBus Bus { get; }

    /// <summary>The system's metrics (meter <c>MwgActors</c>); docs/observability.md.</summary>
    public MwgMetrics Metrics { get; }

    /// <summary>The storage actor (through its supervisor): writes, reads, revisions.</summary>
    public IActorRef Storage { get; }

    public IActorRef Subscriptions { get; }

    public IActorRef Locks { get; }

    /// <summary>The parent of the connection actors (<see cref="ConnectionsParentActor"/>).</summary>
    public IActorRef Connections { get; }

    /// <summary>The in-process API.</summary>
    public MwgStore Store { get; }

    /// <summary>What a connection actor needs to reach the others.</summary>
    public ConnectionRefs ConnectionRefs => new(Storage, Subscriptions, Locks);

    public static MwgActorsExtension Get(ActorSystem system) =>
        system.WithExtension<MwgActorsExtension, MwgActorsExtensionProvider>();

    /// <summary>Completes once the storage actor has recovered its journal and answers; retries while it restarts.</summary>
    public async Task<long> WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            try
            {
                var revision = await Storage.Ask<StorageProtocol.CurrentRevision>(
                    StorageProtocol.GetCurrentRevision.Instance, TimeSpan.FromSeconds(5), deadline.Token);
                return revision.Revision;
            }
            catch (AskTimeoutException) when (!deadline.IsCancellationRequested)
            {
                // Still recovering a long journal, or restarting after a failure: ask again.
            }
        }
    }

    private static (IChangeBus Bus, IActorRef Storage, IActorRef Locks) StartClusterNode(
        ActorSystem system, ClusterSettings cluster, StorageSettings storage, SubscriptionSettings subscriptions, LockSettings locks)
    {
        var sequencer = system.ActorOf(ChangeSequencer.Props(cluster, subscriptions), ClusterNames.Changes);
        var bus = new DistributedChangeBus(system, cluster.ChangesTopic, sequencer);
        IActorRef? view = null;
        if (cluster.IsStorage)
        {
            var localView = new LocalView();
            view = system.ActorOf(StorageViewActor.Props(storage, cluster, subscriptions, OpenStore(storage), bus, localView), ClusterNames.View);

            // The writer and the lock table run once in the cluster, on the oldest storage node. On a handover the
            // manager sends HandOver: the supervisor passes it on and stops once its child has answered what was in
            // flight and stopped.
            var singleton = ClusterSingletonManagerSettings.Create(system).WithRole(ClusterSettings.StorageRole);
            system.ActorOf(
                ClusterSingletonManager.Props(
                    HandedOver(StorageWriterActor.Props(storage, bus, cluster.PositionInterval, localView), "storage"), HandOver.Instance, singleton),
                WriterClientActor.ManagerName);
            system.ActorOf(
                ClusterSingletonManager.Props(HandedOver(LockActor.Props(locks), "locks"), HandOver.Instance, singleton),
                LockClientActor.ManagerName);
        }

        return (
            bus,
            system.ActorOf(WriterClientActor.Props(cluster, view), "mwg-storage"),
            system.ActorOf(LockClientActor.Props(cluster), "mwg-locks"));
    }

    private static Props HandedOver(Props child, string childName) =>
        BackoffSupervisor.Props(
            Backoff.OnStop(child, childName, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)
                .WithFinalStopMessage(message => message is HandOver));

    private static Func<IKeyValueStore> OpenStore(StorageSettings settings) => settings.Store switch
    {
        StoreKind.Memory => () => new InMemoryKeyValueStore(),
        _ => () => new RocksDbKeyValueStore(new RocksDbSettings(
            settings.DataPath,
            SyncWrites: false, // the journal is the durable record; the view can be replayed from it
            BlockCacheSizeBytes: settings.BlockCacheBytes)),
    };

    private static RocksDbDatabase? OpenDataFolder(StorageSettings settings) =>
        settings.Store == StoreKind.RocksDb
            ? RocksDbDatabase.Acquire(new RocksDbSettings(settings.DataPath, SyncWrites: false, BlockCacheSizeBytes: settings.BlockCacheBytes))
            : null;

    private static Props Supervised(Props child, string childName) =>
        BackoffSupervisor.Props(Backoff.OnStop(child, childName, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1));
}

public sealed class MwgActorsExtensionProvider : ExtensionIdProvider<MwgActorsExtension>
{
    public override MwgActorsExtension CreateExtension(ExtendedActorSystem system) => new(system);
}
