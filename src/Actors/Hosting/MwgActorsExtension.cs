using Akka.Actor;
using Akka.Configuration;
using Akka.Pattern;
using MwgActors.Actors.Api;
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
        Bus = new LocalChangeBus(system);
        Metrics = MwgMetrics.Get(system);
        if (StorageSettings.Store == StoreKind.RocksDb)
        {
            Metrics.ObserveRocksDb(Path.GetFullPath(StorageSettings.DataPath));
        }

        // Holds the data folder open for the system's lifetime: "already in use" fails here, before any actor
        // starts, and the view, the journal and the snapshot store share this one open database.
        var dataFolder = OpenDataFolder(StorageSettings);
        if (dataFolder is not null)
        {
            system.RegisterOnTermination(dataFolder.Release);
        }

        // The storage and lock actors stop when their journal fails; a backoff supervisor starts them again,
        // and they recover from the journal. Messages sent to the supervisor reach the current child.
        Storage = system.ActorOf(Supervised(StorageActor.Props(StorageSettings, OpenStore(StorageSettings), Bus), "storage"), "mwg-storage");
        Locks = system.ActorOf(Supervised(LockActor.Props(lockSettings), "locks"), "mwg-locks");
        // The subscription actor holds its subscriptions in memory only: an exception resumes it (dropping the one
        // message) rather than restarting it empty, which would leave connections subscribed to nothing.
        Subscriptions = system.ActorOf(
            BackoffSupervisor.Props(Backoff.OnStop(SubscriptionActor.Props(subscriptionSettings, Bus), "subscriptions", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, maxNrOfRetries: -1)
                .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume))),
            "mwg-subscriptions");
        Store = new MwgStore(system, Storage, Subscriptions, apiSettings);
    }

    public StorageSettings StorageSettings { get; }

    public ConnectionSettings ConnectionSettings { get; }

    public IChangeBus Bus { get; }

    /// <summary>The system's metrics (meter <c>MwgActors</c>); docs/observability.md.</summary>
    public MwgMetrics Metrics { get; }

    /// <summary>The storage actor (through its supervisor): writes, reads, revisions.</summary>
    public IActorRef Storage { get; }

    public IActorRef Subscriptions { get; }

    public IActorRef Locks { get; }

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
