using System.Collections.Concurrent;
using RocksDbSharp;

namespace MwgActors.Storage.RocksDb;

/// <summary>
/// One open RocksDB folder with MwgActors' column families, shared by every user in the process
/// (the data store, the journal, the snapshot store). RocksDB allows one open handle per folder and
/// process, so users <see cref="Acquire"/> a reference and <see cref="Release"/> it; the last release
/// closes the database.
/// </summary>
/// <remarks>Thread-safe. Native RocksDB calls on the handle are thread-safe by RocksDB's own contract.</remarks>
public sealed class RocksDbDatabase
{
    private static readonly ConcurrentDictionary<string, RocksDbDatabase> Open = new(StringComparer.Ordinal);
    private static readonly Lock OpenLock = new();

    private readonly Dictionary<string, ColumnFamilyHandle> _families;
    private readonly WriteOptions _writeOptions;
    private readonly Cache _blockCache;
    private int _references;

    private RocksDbDatabase(RocksDbSettings settings, RocksDbSharp.RocksDb db, Dictionary<string, ColumnFamilyHandle> families, Cache blockCache)
    {
        Settings = settings;
        Handle = db;
        _families = families;
        _blockCache = blockCache;
        _writeOptions = new WriteOptions().SetSync(settings.SyncWrites);
    }

    public RocksDbSettings Settings { get; }

    /// <summary>The native handle. Valid until the last <see cref="Release"/>.</summary>
    public RocksDbSharp.RocksDb Handle { get; }

    /// <summary>Write options that honour <see cref="RocksDbSettings.SyncWrites"/>.</summary>
    public WriteOptions WriteOptions => _writeOptions;

    public bool IsClosed => Volatile.Read(ref _references) <= 0;

    public ColumnFamilyHandle Family(string name) =>
        _families.TryGetValue(name, out var handle)
            ? handle
            : throw new ArgumentException($"unknown column family '{name}'", nameof(name));

    /// <summary>
    /// Opens the folder, or adds a reference to the database this process already has open there.
    /// The first opener's settings win; a later opener with other settings gets the same database.
    /// </summary>
    /// <exception cref="StoreException">The folder is in use by another process, not accessible, or corrupt.</exception>
    public static RocksDbDatabase Acquire(RocksDbSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var key = settings.FullPath;
        lock (OpenLock)
        {
            if (Open.TryGetValue(key, out var existing))
            {
                existing._references++;
                return existing;
            }

            var opened = OpenFolder(settings);
            opened._references = 1;
            Open[key] = opened;
            return opened;
        }
    }

    /// <summary>Whether this process holds the folder at <paramref name="fullPath"/> open (for specs of the users' release).</summary>
    internal static bool IsOpen(string fullPath) => Open.ContainsKey(fullPath);

    /// <summary>Drops one reference; the last one flushes nothing extra and closes the native handle.</summary>
    public void Release()
    {
        lock (OpenLock)
        {
            if (_references <= 0)
            {
                return;
            }

            if (--_references > 0)
            {
                return;
            }

            Open.TryRemove(Settings.FullPath, out _);
            Handle.Dispose();
            GC.KeepAlive(_blockCache);
        }
    }

    /// <summary>
    /// RocksDB's statistics of the database this process has open at <paramref name="fullPath"/>, or null when none
    /// is open there. Safe against a concurrent <see cref="Release"/>: the native handle is read under the lock that
    /// closes it. Not for hot paths (a few native property reads and a listing of the folder).
    /// </summary>
    public static RocksDbStatistics? ReadStatistics(string fullPath)
    {
        lock (OpenLock)
        {
            return Open.TryGetValue(fullPath, out var database) && !database.IsClosed ? database.ReadOwnStatistics() : null;
        }
    }

    private RocksDbStatistics ReadOwnStatistics()
    {
        var families = new List<RocksDbFamilyStatistics>(_families.Count);
        foreach (var (name, handle) in _families.Where(f => f.Key != RocksDbColumnFamilies.Default).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            families.Add(new RocksDbFamilyStatistics(
                name,
                Property("rocksdb.total-sst-files-size", handle),
                Property("rocksdb.cur-size-all-mem-tables", handle),
                Property("rocksdb.compaction-pending", handle) > 0,
                Property("rocksdb.estimate-pending-compaction-bytes", handle),
                Property("rocksdb.estimate-num-keys", handle)));
        }

        return new RocksDbStatistics(
            Property("rocksdb.num-running-compactions", null),
            Property("rocksdb.num-running-flushes", null),
            FolderBytes(Settings.FullPath),
            families);
    }

    // RocksDB answers integer properties as decimal text; a property it does not know reads as 0.
    private long Property(string name, ColumnFamilyHandle? family)
    {
        var text = family is null ? Handle.GetProperty(name) : Handle.GetProperty(name, family);
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    private static long FolderBytes(string path)
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            try
            {
                total += file.Length;
            }
            catch (IOException)
            {
                // Removed by a compaction during the listing: it no longer takes space.
            }
        }

        return total;
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the database is closed.</summary>
    public void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw new ObjectDisposedException(nameof(RocksDbDatabase), $"the RocksDB database at {Settings.FullPath} is closed");
        }
    }

    private static RocksDbDatabase OpenFolder(RocksDbSettings settings)
    {
        var path = settings.FullPath;
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StoreException(StoreErrorKind.PermissionDenied, $"cannot create the data folder {path}: permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new StoreException(StoreErrorKind.IoError, $"cannot create the data folder {path}: {ex.Message}", ex);
        }

        var blockCache = Cache.CreateLru((ulong)settings.BlockCacheSizeBytes);
        var familyOptions = CreateFamilyOptions(settings, blockCache);
        var dbOptions = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            .SetParanoidChecks(true)
            .IncreaseParallelism(Math.Max(2, Environment.ProcessorCount))
            .SetKeepLogFileNum(4);

        var names = new HashSet<string>(RocksDbColumnFamilies.All, StringComparer.Ordinal);
        if (RocksDbSharp.RocksDb.TryListColumnFamilies(dbOptions, path, out var existing))
        {
            // A folder may hold families added by a newer version: open them too, RocksDB insists.
            names.UnionWith(existing);
        }

        var families = new ColumnFamilies(familyOptions);
        foreach (var name in names.Where(n => n != RocksDbColumnFamilies.Default))
        {
            families.Add(name, familyOptions);
        }

        RocksDbSharp.RocksDb db;
        try
        {
            db = RocksDbSharp.RocksDb.Open(dbOptions, path, families);
        }
        catch (RocksDbException ex)
        {
            throw Translate(ex, path);
        }

        var handles = names.ToDictionary(n => n, db.GetColumnFamily, StringComparer.Ordinal);
        return new RocksDbDatabase(settings, db, handles, blockCache);
    }

    private static ColumnFamilyOptions CreateFamilyOptions(RocksDbSettings settings, Cache blockCache)
    {
        var table = new BlockBasedTableOptions()
            .SetBlockCache(blockCache)
            .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
            .SetWholeKeyFiltering(true);
        return new ColumnFamilyOptions()
            .SetBlockBasedTableFactory(table)
            .SetCompression(settings.Compression switch
            {
                RocksDbCompression.None => Compression.No,
                RocksDbCompression.Snappy => Compression.Snappy,
                RocksDbCompression.Lz4 => Compression.Lz4,
                RocksDbCompression.Zstd => Compression.Zstd,
                _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Compression, "unknown compression"),
            });
    }

    /// <summary>Turns RocksDB's status text into a typed, one-line error an operator can act on.</summary>
    internal static StoreException Translate(RocksDbException ex, string path)
    {
        var text = ex.Message ?? string.Empty;
        if (text.Contains("lock", StringComparison.OrdinalIgnoreCase)
            && (text.Contains("temporarily unavailable", StringComparison.OrdinalIgnoreCase)
                || text.Contains("No locks available", StringComparison.OrdinalIgnoreCase)
                || text.Contains("lock hold by current process", StringComparison.OrdinalIgnoreCase)))
        {
            return new StoreException(StoreErrorKind.AlreadyInUse, $"the data folder {path} is already in use by another process", ex);
        }

        if (text.Contains("Permission denied", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreException(StoreErrorKind.PermissionDenied, $"no permission to use the data folder {path}", ex);
        }

        // A CURRENT file that names a MANIFEST which is not there is a damaged folder, not a passing I/O error.
        if (text.StartsWith("Corruption", StringComparison.OrdinalIgnoreCase)
            || text.Contains("MANIFEST", StringComparison.Ordinal)
            || text.StartsWith("Invalid argument", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("Not implemented", StringComparison.OrdinalIgnoreCase))
        {
            return new StoreException(StoreErrorKind.Corrupt, $"the data folder {path} holds a corrupt or incompatible database ({FirstLine(text)})", ex);
        }

        return new StoreException(StoreErrorKind.IoError, $"RocksDB failed on {path}: {FirstLine(text)}", ex);
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
