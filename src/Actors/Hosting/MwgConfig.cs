using Akka.Configuration;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Storage;
using MwgActors.Storage.Persistence;

namespace MwgActors.Actors.Hosting;

/// <summary>
/// Builds the configuration of an actor system that runs MwgActors: the user's configuration over
/// hocon/reference.conf and hocon/serialization.conf (<see cref="MwgActorsReferenceConfig"/>), with the persistence
/// plugins chosen to match <c>mwg.storage</c> unless the user chose them: the RocksDB journal and snapshot store in
/// the data folder (fsynced when durability is fsync) for the rocksdb store, Akka's in-memory plugins for the memory
/// store. In cluster mode (<c>mwg.cluster.enabled</c>) the view stays in <c>mwg.storage</c>, but the journal and
/// snapshots go to the shared SQL database of <c>mwg.cluster.journal</c> (Akka.Persistence.Sql) and the actor
/// provider is Akka's cluster.
/// </summary>
public static class MwgConfig
{
    /// <summary>The journal and snapshot store MwgActors uses for each store kind, unless the user chose plugins.</summary>
    public const string RocksDbJournal = "mwg.persistence.journal";
    public const string RocksDbSnapshotStore = "mwg.persistence.snapshot-store";
    public const string InMemoryJournal = "akka.persistence.journal.inmem";
    public const string InMemorySnapshotStore = "akka.persistence.snapshot-store.inmem";

    /// <summary>
    /// The configuration of an actor system created for MwgActors (the server, the generic host's own system,
    /// specs): the chosen plugins become the system's default journal and snapshot store.
    /// </summary>
    public static Config Build(Config? user = null)
    {
        var (combined, storage, cluster, derived) = Derive(user);
        var (journal, snapshots) = Plugins(storage, cluster);
        AddUnlessSet(user, derived, "akka.persistence.journal.plugin", Quote(journal));
        AddUnlessSet(user, derived, "akka.persistence.snapshot-store.plugin", Quote(snapshots));
        return Finish(combined, derived);
    }

    /// <summary>
    /// The configuration MwgActors adds to an actor system the app created itself
    /// (<see cref="MwgActorSystemExtensions.UseMwgActors(Akka.Actor.ActorSystem, MwgActorsOptions)"/>): the same
    /// derivations as <see cref="Build"/>, except that the plugins are named in MwgActors' own plugin ids
    /// (<c>mwg.storage.journal-plugin-id</c> and the others) instead of <c>akka.persistence.*.plugin</c>, so the
    /// app's own persistent actors keep their default journal.
    /// </summary>
    public static Config ForExistingSystem(Config? user = null)
    {
        var (combined, storage, cluster, derived) = Derive(user);
        var (journal, snapshots) = Plugins(storage, cluster);
        if (!string.IsNullOrEmpty(storage.JournalPluginId))
        {
            journal = storage.JournalPluginId;
        }

        AddUnlessSet(user, derived, "mwg.storage.journal-plugin-id", Quote(journal));
        AddUnlessSet(user, derived, "mwg.storage.snapshot-plugin-id", Quote(snapshots));
        AddUnlessSet(user, derived, "mwg.subscriptions.journal-plugin-id", Quote(journal));
        AddUnlessSet(user, derived, "mwg.locks.journal-plugin-id", Quote(journal));
        AddUnlessSet(user, derived, "mwg.locks.snapshot-plugin-id", Quote(snapshots));
        return Finish(combined, derived);
    }

    private static (Config Combined, StorageSettings Storage, ClusterSettings Cluster, List<string> Derived) Derive(Config? user)
    {
        var reference = MwgActorsReferenceConfig.Load();
        var combined = user is null || user.IsEmpty ? reference : user.WithFallback(reference);
        var storage = StorageSettings.Create(combined);
        var cluster = ClusterSettings.Create(combined);
        var derived = new List<string>();
        if (cluster.Enabled)
        {
            AddClusterDefaults(user, derived, cluster);
        }
        else if (storage.Store == StoreKind.RocksDb)
        {
            var path = Quote(storage.DataPath);
            var sync = storage.Durability == Durability.Fsync ? "on" : "off";
            AddUnlessSet(user, derived, "mwg.persistence.journal.path", path);
            AddUnlessSet(user, derived, "mwg.persistence.snapshot-store.path", path);
            AddUnlessSet(user, derived, "mwg.persistence.journal.sync-writes", sync);
            AddUnlessSet(user, derived, "mwg.persistence.snapshot-store.sync-writes", sync);
        }

        return (combined, storage, cluster, derived);
    }

    private static (string Journal, string Snapshots) Plugins(StorageSettings storage, ClusterSettings cluster) =>
        cluster.Enabled ? (SqlPlugins.Journal, SqlPlugins.SnapshotStore)
        : storage.Store == StoreKind.RocksDb ? (RocksDbJournal, RocksDbSnapshotStore)
        : (InMemoryJournal, InMemorySnapshotStore);

    private static Config Finish(Config combined, List<string> derived)
    {
        var built = derived.Count == 0
            ? combined
            : ConfigurationFactory.ParseString(string.Join('\n', derived)).WithFallback(combined);
        ValidatePersistence(built);
        return built;
    }

    /// <summary>The cluster provider and the three Akka.Persistence.Sql plugins on the shared database.</summary>
    private static void AddClusterDefaults(Config? user, List<string> derived, ClusterSettings cluster)
    {
        var connection = Quote(cluster.JournalConnectionString);
        var provider = Quote(cluster.JournalProviderName);
        AddUnlessSet(user, derived, "akka.actor.provider", "cluster");
        // Loopback unless told otherwise: remoting carries every write and needs no exposure by default.
        AddUnlessSet(user, derived, "akka.remote.dot-netty.tcp.hostname", Quote("127.0.0.1"));
        AddUnlessSet(user, derived, "akka.cluster.roles", $"[{ClusterSettings.GatewayRole}, {ClusterSettings.StorageRole}]");
        foreach (var (plugin, type) in new[]
        {
            (SqlPlugins.Journal, "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"),
            (SqlPlugins.SnapshotStore, "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"),
            (SqlPlugins.Query, "Akka.Persistence.Sql.Query.SqlReadJournalProvider, Akka.Persistence.Sql"),
        })
        {
            AddUnlessSet(user, derived, plugin + ".class", Quote(type));
            AddUnlessSet(user, derived, plugin + ".plugin-id", Quote(plugin));
            AddUnlessSet(user, derived, plugin + ".connection-string", connection);
            AddUnlessSet(user, derived, plugin + ".provider-name", provider);
        }

        AddUnlessSet(user, derived, SqlPlugins.Query + ".write-plugin", Quote(SqlPlugins.Journal));
        var refresh = $"{(long)cluster.JournalRefreshInterval.TotalMilliseconds}ms";
        AddUnlessSet(user, derived, SqlPlugins.Query + ".refresh-interval", refresh);
        AddUnlessSet(user, derived, SqlPlugins.Query + ".journal-sequence-retrieval.query-delay", refresh);
    }

    /// <summary>
    /// Reads the RocksDB plugins' settings now, when they are the ones in use: a bad value then stops startup with
    /// a line naming it, instead of a journal that fails inside the actor system and a server that never gets ready.
    /// </summary>
    private static void ValidatePersistence(Config config)
    {
        string[] selectors =
        [
            "akka.persistence.journal.plugin", "akka.persistence.snapshot-store.plugin",
            "mwg.storage.journal-plugin-id", "mwg.storage.snapshot-plugin-id", "mwg.subscriptions.journal-plugin-id",
            "mwg.locks.journal-plugin-id", "mwg.locks.snapshot-plugin-id",
        ];
        foreach (var plugin in new[] { RocksDbJournal, RocksDbSnapshotStore })
        {
            if (selectors.Any(selector => config.GetString(selector, string.Empty) == plugin))
            {
                RocksDbPluginSettings.Create(config.GetConfig(plugin) ?? Config.Empty, plugin);
            }
        }
    }

    /// <summary>A HOCON string literal.</summary>
    public static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void AddUnlessSet(Config? user, List<string> derived, string path, string value)
    {
        if (user is null || !user.HasPath(path))
        {
            derived.Add($"{path} = {value}");
        }
    }
}
