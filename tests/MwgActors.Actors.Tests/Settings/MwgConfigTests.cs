using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Storage.Persistence;

namespace MwgActors.Actors.Tests.Settings;

/// <summary>The actor system configuration <see cref="MwgConfig.Build"/> derives from <c>mwg.storage</c>.</summary>
public sealed class MwgConfigTests
{
    [Fact]
    public void The_rocksdb_store_should_put_the_journal_and_snapshots_in_its_folder_without_fsync_by_default()
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("mwg.storage.path = \"/srv/mwg data\""));

        Assert.Equal("mwg.persistence.journal", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("mwg.persistence.snapshot-store", config.GetString("akka.persistence.snapshot-store.plugin"));
        Assert.Equal("/srv/mwg data", config.GetString("mwg.persistence.journal.path"));
        Assert.Equal("/srv/mwg data", config.GetString("mwg.persistence.snapshot-store.path"));
        Assert.False(config.GetBoolean("mwg.persistence.journal.sync-writes"));
    }

    [Fact]
    public void Fsync_durability_should_turn_on_the_journal_sync_writes()
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("mwg.storage.durability = fsync"));

        Assert.True(config.GetBoolean("mwg.persistence.journal.sync-writes"));
        Assert.True(RocksDbPluginSettings.Create(config.GetConfig("mwg.persistence.journal"), "mwg.persistence.journal").SyncWrites);
    }

    [Fact]
    public void The_memory_store_should_use_the_in_memory_journal_and_snapshot_store()
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("mwg.storage.store = memory"));

        Assert.Equal("akka.persistence.journal.inmem", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("akka.persistence.snapshot-store.inmem", config.GetString("akka.persistence.snapshot-store.plugin"));
    }

    [Fact]
    public void Settings_the_user_chose_should_win_over_the_derived_ones()
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("""
            mwg.storage.durability = fsync
            mwg.persistence.journal.sync-writes = off
            akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
            """));

        Assert.False(config.GetBoolean("mwg.persistence.journal.sync-writes"));
        Assert.Equal("akka.persistence.journal.inmem", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("mwg.persistence.snapshot-store", config.GetString("akka.persistence.snapshot-store.plugin"));
    }

    [Fact]
    public void Without_user_config_the_reference_defaults_should_apply()
    {
        var config = MwgConfig.Build();

        Assert.Equal("./data", config.GetString("mwg.persistence.journal.path"));
        Assert.Equal("mwg-events", config.GetString("akka.actor.serialization-bindings.\"MwgActors.Actors.Storage.KeysChanged, MwgActors.Actors\""));
    }
}
