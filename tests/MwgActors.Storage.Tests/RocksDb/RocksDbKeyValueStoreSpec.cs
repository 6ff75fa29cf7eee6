using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Tests.RocksDb;

public sealed class RocksDbKeyValueStoreSpec : KeyValueStoreSpec
{
    private readonly TempFolder _temp = new();

    private RocksDbSettings Settings => new(_temp.Combine("db"));

    protected override IKeyValueStore CreateStore() => RocksDbKeyValueStore.Open(Settings);

    public override void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Reopen_after_dispose_should_keep_the_data()
    {
        Store.Write(new KeyValueBatch().Put(B("kept"), B("v")).Put(B("empty"), []).Put(B("gone"), B("x")).Remove(B("gone")));
        Store.Dispose();

        using var reopened = RocksDbKeyValueStore.Open(Settings);

        Assert.Equal([B("v"), [], null], reopened.Get([B("kept"), B("empty"), B("gone")]));
    }

    [Fact]
    public void Reopen_should_keep_the_applied_revision_written_with_its_batch()
    {
        Store.Write(new KeyValueBatch().Put(B("k"), B("v")).WithRevision(42));
        Store.Dispose();

        using var reopened = RocksDbKeyValueStore.Open(Settings);

        Assert.Equal(42, reopened.AppliedRevision);
        Assert.Equal(B("v"), reopened.Get([B("k")])[0]);
    }

    [Fact]
    public void Stores_on_one_folder_should_share_the_database_until_the_last_is_disposed()
    {
        using var second = RocksDbKeyValueStore.Open(Settings);
        Store.Write(new KeyValueBatch().Put(B("k"), B("v")));

        Store.Dispose();

        Assert.Equal(B("v"), second.Get([B("k")])[0]);
    }

    [Theory]
    [InlineData(RocksDbCompression.None, false)]
    [InlineData(RocksDbCompression.Snappy, false)]
    [InlineData(RocksDbCompression.Lz4, true)]
    [InlineData(RocksDbCompression.Zstd, false)]
    public void Every_setting_combination_should_store_and_read_back(RocksDbCompression compression, bool syncWrites)
    {
        var settings = new RocksDbSettings(_temp.Combine("custom"), syncWrites, 1024 * 1024, compression);
        var value = new byte[4096];
        using (var store = RocksDbKeyValueStore.Open(settings))
        {
            store.Write(new KeyValueBatch().Put(B("k"), value));
        }

        using var reopened = RocksDbKeyValueStore.Open(settings);
        Assert.Equal(value, reopened.Get([B("k")])[0]);
    }

    [Fact]
    public void Size_on_disk_should_include_written_data()
    {
        Store.Write(new KeyValueBatch().Put(B("big"), RandomBytes(new Random(1), 1 << 20)));

        Assert.True(Store.GetStats().SizeOnDiskBytes > 1 << 20);
    }
}
