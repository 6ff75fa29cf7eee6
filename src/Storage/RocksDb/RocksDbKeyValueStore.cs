using System.Buffers;
using RocksDbSharp;

namespace MwgActors.Storage.RocksDb;

/// <summary>
/// An <see cref="IKeyValueStore"/> over the <see cref="RocksDbColumnFamilies.Data"/> column family of a
/// shared <see cref="RocksDbDatabase"/>. Holds one reference to the database from construction to
/// <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Follows the thread-safety contract of <see cref="IKeyValueStore"/>: RocksDB's handle is thread-safe,
/// a batched MultiGet reads one family at one sequence number, and an iterator pins the sequence number it was
/// created at. Every engine failure surfaces as a <see cref="StoreException"/>.
/// </remarks>
public sealed class RocksDbKeyValueStore : IKeyValueStore
{
    private const string EstimateNumKeys = "rocksdb.estimate-num-keys";

    // Keys per MultiGet of a bounded read: the values pinned at once are at most this many (32 MiB of 1 MiB values).
    private const int AdmittedChunk = 32;

    // Key of the applied revision in the meta family, written in the same WriteBatch as the data it covers.
    private static readonly byte[] AppliedRevisionKey = "applied-revision"u8.ToArray();

    private readonly RocksDbDatabase _database;
    private readonly RocksDbSharp.RocksDb _db;
    private readonly ColumnFamilyHandle _family;
    private readonly ColumnFamilyHandle _metaFamily;
    private readonly ReadOptions _readOptions = new();
    private readonly string _path;

    // Open iterators, destroyed on Dispose: RocksDB must not outlive them, and the database may stay open
    // for its other users after this store lets go.
    private readonly HashSet<Iterator> _openIterators = [];

    private int _disposed;
    private long _appliedRevision;

    /// <summary>Opens the folder (or shares this process' open database there).</summary>
    /// <exception cref="StoreException">The folder is in use by another process, not accessible, or corrupt.</exception>
    public RocksDbKeyValueStore(RocksDbSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _database = RocksDbDatabase.Acquire(settings);
        _db = _database.Handle;
        _family = _database.Family(RocksDbColumnFamilies.Data);
        _metaFamily = _database.Family(RocksDbColumnFamilies.Meta);
        _path = settings.FullPath;
        _appliedRevision = ReadAppliedRevision();
    }

    public long AppliedRevision => Volatile.Read(ref _appliedRevision);

    /// <inheritdoc cref="RocksDbKeyValueStore(RocksDbSettings)"/>
    public static RocksDbKeyValueStore Open(RocksDbSettings settings) => new(settings);

    public byte[]?[] Get(IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ThrowIfDisposed();
        var result = new byte[]?[keys.Count];
        ReadRange(keys, 0, keys.Count, _readOptions, result, admit: null);
        return result;
    }

    /// <summary>
    /// Reads in chunks of <see cref="AdmittedChunk"/> keys, each value's size checked before it is copied: RocksDB's
    /// native side holds at most one chunk's values at once, however many keys are asked. Several chunks read one
    /// snapshot, so the result is still one point in time.
    /// </summary>
    public byte[]?[]? GetWhile(IReadOnlyList<byte[]> keys, ValueAdmission admit)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(admit);
        ThrowIfDisposed();
        var count = keys.Count;
        var result = new byte[]?[count];
        if (count <= AdmittedChunk)
        {
            return ReadRange(keys, 0, count, _readOptions, result, admit) ? result : null;
        }

        using var snapshot = _db.CreateSnapshot();
        var options = new ReadOptions().SetSnapshot(snapshot);
        for (var start = 0; start < count; start += AdmittedChunk)
        {
            if (!ReadRange(keys, start, Math.Min(AdmittedChunk, count - start), options, result, admit))
            {
                return null;
            }
        }

        return result;
    }

    public void Write(KeyValueBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfDisposed();
        var operations = batch.Operations;
        if (operations.Count == 0 && batch.Revision is null)
        {
            return;
        }

        using var writeBatch = new WriteBatch();
        if (batch.Revision is { } revision)
        {
            var encoded = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(encoded, revision);
            writeBatch.Put(AppliedRevisionKey, encoded, _metaFamily);
        }

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

        if (batch.Revision is { } applied)
        {
            Volatile.Write(ref _appliedRevision, applied);
        }
    }

    private long ReadAppliedRevision()
    {
        try
        {
            var stored = _db.Get(AppliedRevisionKey, _metaFamily);
            return stored is { Length: 8 } ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(stored) : 0;
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

    /// <summary>Reads keys[start..start+count) into result; false when <paramref name="admit"/> refused a value.</summary>
    private bool ReadRange(IReadOnlyList<byte[]> keys, int start, int count, ReadOptions options, byte[]?[] result, ValueAdmission? admit)
    {
        if (count == 0)
        {
            return true;
        }

        var keyBytes = 0;
        for (var i = start; i < start + count; i++)
        {
            keyBytes += (keys[i] ?? throw new ArgumentException($"key {i} is null", nameof(keys))).Length;
        }

        // Scratch space from the pool: the keys copied into one buffer (one pin instead of one per key),
        // their addresses and sizes, the engine's value slices and error messages.
        var keyBuffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, keyBytes));
        var pointers = ArrayPool<nint>.Shared.Rent(count);
        var sizes = ArrayPool<nuint>.Shared.Rent(count);
        var slices = ArrayPool<nint>.Shared.Rent(count);
        var errors = ArrayPool<nint>.Shared.Rent(count);
        try
        {
            Array.Clear(slices, 0, count);
            Array.Clear(errors, 0, count);
            MultiGet(keys, start, count, options, keyBuffer, pointers, sizes, slices, errors);
            ThrowIfAnyError(errors, count);
            return CopyValues(slices, count, start, result, admit);
        }
        finally
        {
            for (var i = 0; i < count; i++)
            {
                if (slices[i] != IntPtr.Zero)
                {
                    Native.Instance.rocksdb_pinnableslice_destroy(slices[i]);
                }
            }

            ArrayPool<nint>.Shared.Return(errors);
            ArrayPool<nint>.Shared.Return(slices);
            ArrayPool<nuint>.Shared.Return(sizes);
            ArrayPool<nint>.Shared.Return(pointers);
            ArrayPool<byte>.Shared.Return(keyBuffer);
        }
    }

    /// <summary>
    /// RocksDB's batched MultiGet: one family, one consistent read point, values pinned in the block cache
    /// instead of copied into malloc'd buffers. A missing key leaves its slice null; a present empty value
    /// gets a slice of length 0, so the two never look alike. RocksDbSharp's own MultiGet is not used: it
    /// allocates the per-key error array itself and never reads it, so an I/O or corruption error on one
    /// key would come back as a missing key.
    /// </summary>
    private unsafe void MultiGet(IReadOnlyList<byte[]> keys, int start, int count, ReadOptions options, byte[] keyBuffer, nint[] pointers, nuint[] sizes, nint[] slices, nint[] errors)
    {
        fixed (byte* buffer = keyBuffer)
        fixed (nint* values = slices)
        {
            var offset = 0;
            for (var i = 0; i < count; i++)
            {
                var key = keys[start + i];
                key.CopyTo(keyBuffer, offset);
                pointers[i] = (nint)(buffer + offset);
                sizes[i] = (nuint)key.Length;
                offset += key.Length;
            }

            try
            {
                Native.Instance.rocksdb_batched_multi_get_cf(
                    _db.Handle, options.Handle, _family.Handle, (nuint)count, pointers, sizes, (nint)values, errors, 0);
            }
            catch (RocksDbException ex)
            {
                throw RocksDbDatabase.Translate(ex, _path);
            }
        }
    }

    private static unsafe bool CopyValues(nint[] slices, int count, int start, byte[]?[] result, ValueAdmission? admit)
    {
        for (var i = 0; i < count; i++)
        {
            if (slices[i] == IntPtr.Zero)
            {
                continue;
            }

            var value = Native.Instance.rocksdb_pinnableslice_value(slices[i], out var length);
            var size = checked((int)length);
            if (admit is not null && !admit(start + i, size))
            {
                return false;
            }

            result[start + i] = size == 0 ? [] : new ReadOnlySpan<byte>((void*)value, size).ToArray();
        }

        return true;
    }

    private void ThrowIfAnyError(nint[] errors, int count)
    {
        RocksDbException? first = null;
        for (var i = 0; i < count; i++)
        {
            if (errors[i] != IntPtr.Zero)
            {
                // The exception frees the native message; build one per error so none leaks.
                var exception = new RocksDbException(errors[i]);
                first ??= exception;
            }
        }

        if (first is not null)
        {
            throw RocksDbDatabase.Translate(first, _path);
        }
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
