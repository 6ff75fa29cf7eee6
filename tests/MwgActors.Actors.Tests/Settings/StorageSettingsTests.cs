using Akka.Configuration;
using MwgActors.Actors.Storage;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Settings;

public sealed class StorageSettingsTests
{
    [Fact]
    public void Reference_config_should_give_every_default()
    {
        var settings = StorageSettings.Create(MwgReferenceConfig.Load());

        Assert.Equal(
            new StorageSettings(
                StoreKind.RocksDb,
                "./data",
                Durability.Wal,
                "mwg-storage",
                "",
                "",
                ReaderCount: 4,
                SnapshotEvery: 10_000,
                RetainRevisions: 1_000_000,
                RetainAge: TimeSpan.FromDays(7),
                BlockCacheBytes: 64L * 1024 * 1024,
                "mwg.storage.dispatchers.writer",
                "mwg.storage.dispatchers.reader",
                InlineReads: true),
            settings);
    }

    [Fact]
    public void Overrides_should_win_over_the_reference_and_zero_turn_a_retention_bound_off()
    {
        var settings = StorageSettings.Create(Parse("""
            mwg.storage {
              store = memory
              durability = fsync
              readers = 2
              retain-revisions = 0
              retain-age = 0s
            }
            """));

        Assert.Equal((StoreKind.Memory, Durability.Fsync, 2, 0L, TimeSpan.Zero), (settings.Store, settings.Durability, settings.ReaderCount, settings.RetainRevisions, settings.RetainAge));
    }

    [Theory]
    [InlineData("mwg.storage.store = disk", "mwg.storage.store")]
    [InlineData("mwg.storage.path = \"\"", "mwg.storage.path")]
    [InlineData("mwg.storage.durability = sometimes", "mwg.storage.durability")]
    [InlineData("mwg.storage.persistence-id = \"\"", "mwg.storage.persistence-id")]
    [InlineData("mwg.storage.readers = 0", "mwg.storage.readers")]
    [InlineData("mwg.storage.snapshot-every = -5", "mwg.storage.snapshot-every")]
    [InlineData("mwg.storage.retain-revisions = -1", "mwg.storage.retain-revisions")]
    [InlineData("mwg.storage.retain-revisions = many", "mwg.storage.retain-revisions")]
    [InlineData("mwg.storage.retain-age = -1s", "mwg.storage.retain-age")]
    [InlineData("mwg.storage.retain-age = soon", "mwg.storage.retain-age")]
    [InlineData("mwg.storage.block-cache-size = 0", "mwg.storage.block-cache-size")]
    [InlineData("mwg.storage.block-cache-size = lots", "mwg.storage.block-cache-size")]
    [InlineData("mwg.storage.dispatcher = \"\"", "mwg.storage.dispatcher")]
    public void Invalid_values_should_be_refused_naming_their_path(string hocon, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => StorageSettings.Create(Parse(hocon)));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_section_should_be_refused_naming_it()
    {
        var error = Assert.Throws<ConfigurationException>(() => StorageSettings.Create(Config.Empty));
        Assert.Contains("mwg.storage", error.Message, StringComparison.Ordinal);
    }

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(MwgReferenceConfig.Load());
}
