using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Tests.RocksDb;

public sealed class RocksDbSettingsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_data_path_should_be_rejected(string path) =>
        Assert.Throws<ArgumentException>(() => new RocksDbSettings(path));

    [Fact]
    public void Negative_block_cache_should_be_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RocksDbSettings("data", BlockCacheSizeBytes: -1));

    [Fact]
    public void Defaults_should_be_async_wal_lz4_and_64_MiB_cache()
    {
        var settings = new RocksDbSettings("data");

        Assert.False(settings.SyncWrites);
        Assert.Equal(RocksDbCompression.Lz4, settings.Compression);
        Assert.Equal(64L * 1024 * 1024, settings.BlockCacheSizeBytes);
        Assert.Equal(Path.GetFullPath("data"), settings.FullPath);
    }
}
