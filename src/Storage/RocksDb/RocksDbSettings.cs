namespace MwgActors.Storage.RocksDb;

/// <summary>Block compression for RocksDB tables.</summary>
public enum RocksDbCompression
{
    None,
    Snappy,
    Lz4,
    Zstd,
}

/// <summary>
/// Typed options for one RocksDB database folder. Validated on creation; the HOCON layer
/// (<c>mwg.storage.rocksdb.*</c>) maps onto this record.
/// </summary>
/// <param name="DataPath">Folder of the database; created when missing.</param>
/// <param name="SyncWrites">When true every write is fsynced before it returns (survives power loss);
/// when false it is in the write-ahead log when it returns (survives a killed process).</param>
/// <param name="BlockCacheSizeBytes">Size of the shared LRU block cache.</param>
/// <param name="Compression">Block compression of the tables.</param>
public sealed record RocksDbSettings(
    string DataPath,
    bool SyncWrites = false,
    long BlockCacheSizeBytes = 64L * 1024 * 1024,
    RocksDbCompression Compression = RocksDbCompression.Lz4)
{
    public string DataPath { get; } = Validate(DataPath);

    public long BlockCacheSizeBytes { get; } = BlockCacheSizeBytes >= 0
        ? BlockCacheSizeBytes
        : throw new ArgumentOutOfRangeException(nameof(BlockCacheSizeBytes), BlockCacheSizeBytes, "block-cache-size must not be negative");

    /// <summary>The absolute path: the identity under which the process shares one open database.</summary>
    public string FullPath => Path.GetFullPath(DataPath);

    private static string Validate(string dataPath) =>
        string.IsNullOrWhiteSpace(dataPath)
            ? throw new ArgumentException("data path must not be empty", nameof(dataPath))
            : dataPath;
}
