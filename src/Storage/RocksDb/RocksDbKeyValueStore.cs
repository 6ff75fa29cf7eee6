using RocksDbSharp;

namespace MwgActors.Storage.RocksDb;

/// <summary>
/// An <see cref="IKeyValueStore"/> over the <see cref="RocksDbColumnFamilies.Data"/> column family of a
/// shared <see cref="RocksDbDatabase"/>. Holds one reference to the database from construction to
/// <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Follows the thread-safety contract of <see cref="IKeyValueStore"/>: RocksDB's handle is thread-safe,
/// a MultiGet reads one family at one sequence number, and an iterator pins the sequence number it was
/// created at. Every engine failure surfaces as a <see cref="StoreException"/>.
/// </remarks>
public sealed class RocksDbKeyValueStore : IKeyValueStore
{
    private const string EstimateNumKeys = "rocksdb.estimate-num-keys";

    private readonly RocksDbDatabase _database;
    private readonly RocksDbSharp.RocksDb _db;
    private readonly ColumnFamilyHandle _family;
    private readonly ReadOptions _readOptions = new();
    private readonly string _path;

    // Open iterators, destroyed on Dispose: RocksDB must not outlive them, and the database may stay open
    // for its other users after this store lets go.
    private readonly HashSet<Iterator> _openIterators = [];

    // MultiGet takes one family handle per key; every slot holds the data family. Grown on demand, never
    // written after publication, so readers share it.
    private ColumnFamilyHandle[] _families;
    private int _disposed;

    /// <summary>Opens the folder (or shares this process' open database there).</summary>
    /// <exception cref="StoreException">The folder is in use by another process, not accessible, or corrupt.</exception>
    public RocksDbKeyValueStore(RocksDbSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database = RocksDbDatabase.Acquire(settings);
        _db = _database.Handle;
        _family = _database.Family(RocksDbColumnFamilies.Data);
        _path = settings.FullPath;
        _families = FamilyArray(16);
    }

    /// <inheritdoc cref="RocksDbKeyValueStore(RocksDbSettings)"/>
    public static RocksDbKeyValueStore Open(RocksDbSettings settings) => new(settings);

    public byte[]?[] Get(IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfDisposed();
        var count = keys.Count;
        if (count == 0)
        {
            return [];
        }

        var keyArray = ToArray(keys);
        var families = Families(count);
        var errors = new nint[count];
        KeyValuePair<byte[], byte[]>[] pairs;
        try
        {
            // The Native entry point rather than RocksDb.MultiGet: the latter drops per-key errors, which
            // would turn a corrupt block into a missing key.
            pairs = Native.Instance.rocksdb_multi_get(_db.Handle, _readOptions.Handle, keyArray, errors, cf: families);
        }
        catch (RocksDbException ex)
        {
            throw RocksDbDatabase.Translate(ex, _path);
        }

        ThrowIfAnyError(errors);

        // A missing key comes back with a null value; a present empty value as an empty array
        // (the engine hands back a non-null buffer of length 0). The store spec pins both down.
        var result = new byte[]?[count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = pairs[i].Value;
        }

        return result;
    }

    public void Write(KeyValueBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        var operations = batch.Operations;
        if (operations.Count == 0)
        {
            return;
        }

        using var writeBatch = new WriteBatch();
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            if (operation.Value is null)
            {
                writeBatch.Delete(operation.Key, _family);
            }
            else
            {
                writeBatch.Put(operation.Key, operation.Value, _family);
            }
        }

        try
        {
            _db.Write(writeBatch, _database.WriteOptions);
        }
        catch (RocksDbException ex)
        {
            throw RocksDbDatabase.Translate(ex, _path);
        }
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix)
    {
        ThrowIfDisposed();
        return Scan(prefix.ToArray());
    }

    public StoreStats GetStats()
    {
        ThrowIfDisposed();
        string? estimate;
        try
        {
            estimate = _db.GetProperty(EstimateNumKeys, _family);
        }
        catch (RocksDbException ex)
        {
            throw RocksDbDatabase.Translate(ex, _path);
        }

        var keys = long.TryParse(estimate, out var parsed) ? parsed : 0;
        return new StoreStats(keys, FolderSize(_path));
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        lock (_openIterators)
        {
            foreach (var iterator in _openIterators)
            {
                iterator.Dispose();
            }

            _openIterators.Clear();
        }

        _database.Release();
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> Scan(byte[] prefix)
    {
        var iterator = OpenIterator(prefix);
        try
        {
            for (iterator.Seek(prefix); iterator.Valid(); iterator.Next())
            {
                var key = iterator.Key();
                if (!key.AsSpan().StartsWith(prefix))
                {
                    // Only reached for prefixes without an upper bound (all 0xFF bytes).
                    yield break;
                }

                yield return new KeyValuePair<byte[], byte[]>(key, iterator.Value());

                // The store may have been disposed while the caller held this pair; Dispose destroyed the
                // native iterator then, and touching it again would crash the process.
                ThrowIfDisposed();
            }

            ThrowIfIteratorFailed(iterator);
        }
        finally
        {
            CloseIterator(iterator);
        }
    }

    private Iterator OpenIterator(byte[] prefix)
    {
        // One ReadOptions per scan: it owns the upper bound's native copy, and the iterator keeps it alive.
        var options = new ReadOptions();
        var upperBound = KeyPrefix.UpperBound(prefix);
        if (upperBound is not null)
        {
            options.SetIterateUpperBound(upperBound);
        }

        lock (_openIterators)
        {
            ThrowIfDisposed();
            var iterator = _db.NewIterator(_family, options);
            _openIterators.Add(iterator);
            return iterator;
        }
    }

    private void CloseIterator(Iterator iterator)
    {
        lock (_openIterators)
        {
            if (_openIterators.Remove(iterator))
            {
                iterator.Dispose();
            }
        }
    }

    private void ThrowIfIteratorFailed(Iterator iterator)
    {
        Native.Instance.rocksdb_iter_get_error(iterator.Handle, out var error);
        if (error != IntPtr.Zero)
        {
            throw RocksDbDatabase.Translate(new RocksDbException(error), _path);
        }
    }

    private void ThrowIfAnyError(nint[] errors)
    {
        RocksDbException? first = null;
        foreach (var error in errors)
        {
            if (error != IntPtr.Zero)
            {
                // The exception frees the native message; build one per error so none leaks.
                var exception = new RocksDbException(error);
                first ??= exception;
            }
        }

        if (first is not null)
        {
            throw RocksDbDatabase.Translate(first, _path);
        }
    }

    private ColumnFamilyHandle[] Families(int count)
    {
        var families = Volatile.Read(ref _families);
        if (families.Length >= count)
        {
            return families;
        }

        families = FamilyArray(Math.Max(count, families.Length * 2));
        Volatile.Write(ref _families, families);
        return families;
    }

    private ColumnFamilyHandle[] FamilyArray(int length)
    {
        var families = new ColumnFamilyHandle[length];
        Array.Fill(families, _family);
        return families;
    }

    private static byte[][] ToArray(IReadOnlyList<byte[]> keys)
    {
        if (keys is byte[][] array)
        {
            foreach (var key in array)
            {
                ArgumentNullException.ThrowIfNull(key, nameof(keys));
            }

            return array;
        }

        var copy = new byte[keys.Count][];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = keys[i] ?? throw new ArgumentException($"key {i} is null", nameof(keys));
        }

        return copy;
    }

    private static long FolderSize(string path)
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            try
            {
                total += file.Length;
            }
            catch (IOException)
            {
                // RocksDB deletes obsolete files in the background; one may vanish while we count.
            }
        }

        return total;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
