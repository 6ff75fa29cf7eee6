using System.Globalization;
using MwgActors.Storage.RocksDb;
using RocksDbSharp;

namespace MwgActors.LoadGen;

/// <summary>
/// The limit: the op mix in-process, directly on RocksDbSharp (MultiGet for gets, one WriteBatch per put or
/// remove), no network and no actors. The folder is opened by <see cref="RocksDbDatabase"/> with the server's
/// default settings, so the options match ours: write-ahead log on and no fsync per write
/// (<c>mwg.storage.durability = wal</c>), LZ4, a 64 MiB block cache, bloom filters. Keys go to the same column
/// family as the server's view. The database lives in a fresh folder that is removed afterwards.
/// </summary>
internal sealed class RocksDbBaseline : IKvBaseline
{
    private readonly string _path;
    private readonly RocksDbDatabase _database;

    private RocksDbBaseline(string path, RocksDbDatabase database)
    {
        _path = path;
        _database = database;
    }

    public string Describe => string.Create(
        CultureInfo.InvariantCulture,
        $"RocksDbSharp in-process (MultiGet, WriteBatch; WAL on, no fsync, the server's default), {_database.Settings.Compression}, {_database.Settings.BlockCacheSizeBytes / (1024 * 1024)} MiB block cache, one thread per client x in flight, in {_path}");

    public bool Blocking => true;

    /// <summary>Opens a new database in a fresh folder under <paramref name="parent"/> (the temp folder when null).</summary>
    public static RocksDbBaseline Open(string? parent)
    {
        var folder = parent is null
            ? Directory.CreateTempSubdirectory("mwg-baseline-").FullName
            : Directory.CreateDirectory(Path.Combine(parent, "mwg-baseline-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            return new RocksDbBaseline(folder, RocksDbDatabase.Acquire(new RocksDbSettings(folder)));
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    public Task<IKvBaselineClient> ConnectAsync(CancellationToken cancellation) =>
        Task.FromResult<IKvBaselineClient>(new Client(_database));

    public ValueTask DisposeAsync()
    {
        _database.Release();
        Directory.Delete(_path, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Clients share the handle (RocksDB's calls are thread-safe); each call blocks its worker's thread.</summary>
    private sealed class Client(RocksDbDatabase database) : IKvBaselineClient
    {
        private readonly RocksDbSharp.RocksDb _db = database.Handle;
        private readonly ColumnFamilyHandle _family = database.Family(RocksDbColumnFamilies.Data);
        private readonly WriteOptions _writeOptions = database.WriteOptions;
        private ColumnFamilyHandle[] _families = [];

        public ValueTask ExecuteAsync(Op op, byte[][] keys, byte[] value)
        {
            if (op == Op.Get)
            {
                _ = _db.MultiGet(keys, Families(keys.Length));
                return ValueTask.CompletedTask;
            }

            using var batch = new WriteBatch();
            foreach (var key in keys)
            {
                if (op == Op.Put)
                {
                    batch.Put(key, value, _family);
                }
                else
                {
                    batch.Delete(key, _family);
                }
            }

            _db.Write(batch, _writeOptions);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        // MultiGet wants one family per key; a client's workers share this array, which only ever holds _family.
        private ColumnFamilyHandle[] Families(int count)
        {
            var families = _families;
            if (families.Length != count)
            {
                families = Enumerable.Repeat(_family, count).ToArray();
                _families = families;
            }

            return families;
        }
    }
}
