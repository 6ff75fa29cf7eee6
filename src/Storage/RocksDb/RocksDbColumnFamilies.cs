namespace MwgActors.Storage.RocksDb;

/// <summary>
/// The column families of an MwgActors database folder. Data, journal and snapshots share one
/// RocksDB instance (one write-ahead log, one block cache) but never share a key space.
/// </summary>
public static class RocksDbColumnFamilies
{
    /// <summary>RocksDB's own default family; kept empty.</summary>
    public const string Default = "default";

    /// <summary>The key/value data (the materialized view in the server).</summary>
    public const string Data = "data";

    /// <summary>Store metadata kept apart from the data key space (the applied revision of the view).</summary>
    public const string Meta = "meta";

    /// <summary>Akka.Persistence journal events.</summary>
    public const string Journal = "journal";

    /// <summary>Akka.Persistence journal metadata (highest sequence numbers after deletion).</summary>
    public const string JournalMeta = "journal-meta";

    /// <summary>Akka.Persistence snapshots.</summary>
    public const string Snapshots = "snapshots";

    /// <summary>Families created when a folder is opened for the first time.</summary>
    public static IReadOnlyList<string> All { get; } = [Default, Data, Meta, Journal, JournalMeta, Snapshots];
}
