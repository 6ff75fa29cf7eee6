using Akka.Configuration;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Storage;

/// <summary>How a write is made durable before it is acknowledged.</summary>
public enum Durability
{
    /// <summary>Acknowledged once in RocksDB's write-ahead log (survives a killed process, not a power loss).</summary>
    Wal,

    /// <summary>Acknowledged once the write-ahead log is fsynced (survives a power loss; slower).</summary>
    Fsync,
}

/// <summary>Where the key/value view lives.</summary>
public enum StoreKind
{
    /// <summary>RocksDB in <see cref="StorageSettings.DataPath"/> (the default).</summary>
    RocksDb,

    /// <summary>In memory: for tests and embedding; the journal decides what survives a restart.</summary>
    Memory,
}

/// <summary>Settings of the storage actor, from <c>mwg.storage</c>.</summary>
public sealed record StorageSettings(
    StoreKind Store,
    string DataPath,
    Durability Durability,
    string PersistenceId,
    string JournalPluginId,
    string SnapshotPluginId,
    int ReaderCount,
    int SnapshotEvery,
    long RetainRevisions,
    TimeSpan RetainAge,
    long BlockCacheBytes,
    string Dispatcher,
    string ReaderDispatcher,
    bool InlineReads)
{
    public const string Path = "mwg.storage";

    public static StorageSettings Create(Config root)
    {
        var c = ConfigReading.Section(root, Path);
        return new StorageSettings(
            ConfigReading.Enum<StoreKind>(c, Path, "store"),
            ConfigReading.String(c, Path, "path"),
            ConfigReading.Enum<Durability>(c, Path, "durability"),
            ConfigReading.String(c, Path, "persistence-id"),
            ConfigReading.String(c, Path, "journal-plugin-id", allowEmpty: true),
            ConfigReading.String(c, Path, "snapshot-plugin-id", allowEmpty: true),
            ConfigReading.PositiveInt(c, Path, "readers"),
            ConfigReading.PositiveInt(c, Path, "snapshot-every"),
            ConfigReading.NonNegativeLong(c, Path, "retain-revisions"),
            ConfigReading.Duration(c, Path, "retain-age", allowZero: true),
            ConfigReading.Bytes(c, Path, "block-cache-size"),
            ConfigReading.String(c, Path, "dispatcher"),
            ConfigReading.String(c, Path, "reader-dispatcher"),
            ConfigReading.Bool(c, Path, "inline-reads"));
    }
}
