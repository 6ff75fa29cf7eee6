using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MwgActors.Storage;
using MwgActors.Storage.RocksDb;
using RocksDbSharp;

namespace MwgActors.Benchmarks;

/// <summary>
/// Batched get and put through <see cref="IKeyValueStore"/> against the same calls made directly on
/// RocksDbSharp, on one database. The raw call is each category's baseline, so the Ratio column is the
/// cost of the interface (budget: at most 1.10).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class StoreBenchmarks
{
    private const int PreloadedKeys = 10_000;

    private string _path = "";
    private RocksDbKeyValueStore _store = null!;
    private RocksDbDatabase _database = null!;
    private RocksDbSharp.RocksDb _db = null!;
    private ColumnFamilyHandle _family = null!;
    private ColumnFamilyHandle[] _families = [];
    private byte[][] _keys = [];
    private byte[][] _values = [];

    [Params(16, 100)]
    public int Keys { get; set; }

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Directory.CreateTempSubdirectory("mwg-bench-").FullName;
        var settings = new RocksDbSettings(_path);
        _store = RocksDbKeyValueStore.Open(settings);

        // A second reference to the same open database, for the raw calls.
        _database = RocksDbDatabase.Acquire(settings);
        _db = _database.Handle;
        _family = _database.Family(RocksDbColumnFamilies.Data);

        var random = new Random(42);
        var preload = new KeyValueBatch(PreloadedKeys);
        for (var i = 0; i < PreloadedKeys; i++)
        {
            preload.Put(Key(i), RandomBytes(random, ValueSize));
        }

        _store.Write(preload);
        _db.Flush(new FlushOptions().SetWaitForFlush(true));

        // Keys spread over the preloaded range, so a batch touches several blocks.
        var stride = PreloadedKeys / Keys;
        _keys = Enumerable.Range(0, Keys).Select(i => Key(i * stride)).ToArray();
        _values = _keys.Select(_ => RandomBytes(random, ValueSize)).ToArray();
        _families = Enumerable.Repeat(_family, Keys).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        _database.Release();
        Directory.Delete(_path, recursive: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Get")]
    public KeyValuePair<byte[], byte[]>[] RawMultiGet() => _db.MultiGet(_keys, _families);

    [Benchmark]
    [BenchmarkCategory("Get")]
    public byte[]?[] StoreGet() => _store.Get(_keys);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Put")]
    public void RawWriteBatch()
    {
        using var batch = new WriteBatch();
        for (var i = 0; i < _keys.Length; i++)
        {
            batch.Put(_keys[i], _values[i], _family);
        }

        _db.Write(batch, _database.WriteOptions);
    }

    [Benchmark]
    [BenchmarkCategory("Put")]
    public void StoreWrite()
    {
        var batch = new KeyValueBatch(_keys.Length);
        for (var i = 0; i < _keys.Length; i++)
        {
            batch.Put(_keys[i], _values[i]);
        }

        _store.Write(batch);
    }

    private static byte[] Key(int i) => Encoding.ASCII.GetBytes($"bench/{i:D6}");

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
