using Akka.Configuration;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using MwgActors.Storage.Persistence;

namespace MwgActors.Actors.Hosting;

/// <summary>
/// Builds the configuration of an actor system that runs MwgActors: the user's configuration over
/// hocon/reference.conf, with the persistence plugins chosen to match <c>mwg.storage</c> unless the user chose
/// them: the RocksDB journal and snapshot store in the data folder (fsynced when durability is fsync) for the
/// rocksdb store, Akka's in-memory plugins for the memory store.
/// </summary>
public static class MwgConfig
{
    public static Config Build(Config? user = null)
    {
        var reference = MwgReferenceConfig.Load();
        var combined = user is null ? reference : user.WithFallback(reference);
        var storage = StorageSettings.Create(combined);
        var derived = new List<string>();

        if (storage.Store == StoreKind.RocksDb)
        {
            var path = Quote(storage.DataPath);
            var sync = storage.Durability == Durability.Fsync ? "on" : "off";
            AddUnlessSet(user, derived, "mwg.persistence.journal.path", path);
            AddUnlessSet(user, derived, "mwg.persistence.snapshot-store.path", path);
            AddUnlessSet(user, derived, "mwg.persistence.journal.sync-writes", sync);
            AddUnlessSet(user, derived, "mwg.persistence.snapshot-store.sync-writes", sync);
            AddUnlessSet(user, derived, "akka.persistence.journal.plugin", Quote("mwg.persistence.journal"));
            AddUnlessSet(user, derived, "akka.persistence.snapshot-store.plugin", Quote("mwg.persistence.snapshot-store"));
        }
        else
        {
            AddUnlessSet(user, derived, "akka.persistence.journal.plugin", Quote("akka.persistence.journal.inmem"));
            AddUnlessSet(user, derived, "akka.persistence.snapshot-store.plugin", Quote("akka.persistence.snapshot-store.inmem"));
        }

        var built = derived.Count == 0
            ? combined
            : ConfigurationFactory.ParseString(string.Join('\n', derived)).WithFallback(combined);
        ValidatePersistence(built);
        return built;
    }

    /// <summary>
    /// Reads the RocksDB plugins' settings now, when they are the ones in use: a bad value then stops startup with
    /// a line naming it, instead of a journal that fails inside the actor system and a server that never gets ready.
    /// </summary>
    private static void ValidatePersistence(Config config)
    {
        foreach (var (selector, plugin) in new[]
        {
            ("akka.persistence.journal.plugin", "mwg.persistence.journal"),
            ("akka.persistence.snapshot-store.plugin", "mwg.persistence.snapshot-store"),
        })
        {
            if (config.GetString(selector, string.Empty) == plugin)
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
