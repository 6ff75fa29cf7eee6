namespace MwgActors.Storage.RocksDb;

/// <summary>
/// A point-in-time reading of an open RocksDB folder, for metrics: RocksDB's own properties per column family
/// and the size of the folder on disk. Read with <see cref="RocksDbDatabase.ReadStatistics"/>.
/// </summary>
/// <param name="RunningCompactions">Compactions running now (<c>rocksdb.num-running-compactions</c>).</param>
/// <param name="RunningFlushes">Memtable flushes running now (<c>rocksdb.num-running-flushes</c>).</param>
/// <param name="DiskBytes">Bytes of every file in the folder: tables, write-ahead log, manifest, info logs.</param>
public sealed record RocksDbStatistics(
    long RunningCompactions,
    long RunningFlushes,
    long DiskBytes,
    IReadOnlyList<RocksDbFamilyStatistics> Families);

/// <summary>RocksDB's properties of one column family.</summary>
/// <param name="SstFilesBytes">Bytes of all its table files (<c>rocksdb.total-sst-files-size</c>).</param>
/// <param name="MemTablesBytes">Bytes of its active and immutable memtables (<c>rocksdb.cur-size-all-mem-tables</c>).</param>
/// <param name="CompactionPending">Whether a compaction is due (<c>rocksdb.compaction-pending</c>).</param>
/// <param name="PendingCompactionBytes">Bytes a compaction would have to rewrite (<c>rocksdb.estimate-pending-compaction-bytes</c>).</param>
/// <param name="EstimatedKeys">Estimated number of keys (<c>rocksdb.estimate-num-keys</c>).</param>
public sealed record RocksDbFamilyStatistics(
    string Name,
    long SstFilesBytes,
    long MemTablesBytes,
    bool CompactionPending,
    long PendingCompactionBytes,
    long EstimatedKeys);
