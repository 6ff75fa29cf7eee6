namespace MwgActors.Storage;

/// <summary>Figures for operators. Both are estimates for RocksDB and exact for the in-memory store.</summary>
/// <param name="ApproximateKeyCount">Approximate number of keys.</param>
/// <param name="SizeOnDiskBytes">Bytes the store occupies on disk (0 for the in-memory store).</param>
public sealed record StoreStats(long ApproximateKeyCount, long SizeOnDiskBytes);
