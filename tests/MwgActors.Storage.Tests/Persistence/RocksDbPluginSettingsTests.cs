using Akka.Configuration;
using MwgActors.Storage.Persistence;

namespace MwgActors.Storage.Tests.Persistence;

public sealed class RocksDbPluginSettingsTests
{
    [Theory]
    [InlineData("mwg.persistence.journal", typeof(RocksDbJournal))]
    [InlineData("mwg.persistence.snapshot-store", typeof(RocksDbSnapshotStore))]
    public void Reference_defaults_should_be_data_folder_no_fsync_and_the_pinned_plugin_dispatcher(string pluginId, Type pluginType)
    {
        var reference = MwgReferenceConfig.Load();
        var plugin = reference.GetConfig(pluginId);

        var settings = RocksDbPluginSettings.Create(plugin, pluginId);

        Assert.Equal(new RocksDbPluginSettings(pluginId, "./data", SyncWrites: false), settings);
        Assert.Equal(pluginType, Type.GetType(plugin.GetString("class"), throwOnError: true));
        Assert.Equal("mwg.persistence.dispatcher", plugin.GetString("plugin-dispatcher"));
        Assert.Equal("PinnedDispatcher", reference.GetString("mwg.persistence.dispatcher.type"));
    }

    [Fact]
    public void Overrides_should_be_read_from_the_plugin_section()
    {
        var config = ConfigurationFactory.ParseString("path = \"/var/lib/mwg\"\nsync-writes = on");

        var settings = RocksDbPluginSettings.Create(config, "mwg.persistence.journal");

        Assert.Equal("/var/lib/mwg", settings.Path);
        Assert.True(settings.SyncWrites);
        Assert.True(settings.ToRocksDbSettings().SyncWrites);
    }

    [Theory]
    [InlineData("path = \"\"", "mwg.persistence.journal.path")]
    [InlineData("path = \"   \"", "mwg.persistence.journal.path")]
    [InlineData("sync-writes = off", "mwg.persistence.journal.path")]
    [InlineData("path = data\nsync-writes = perhaps", "mwg.persistence.journal.sync-writes")]
    public void Invalid_settings_should_be_rejected_naming_the_hocon_path(string hocon, string namedPath)
    {
        var config = ConfigurationFactory.ParseString(hocon);

        var error = Assert.Throws<ConfigurationException>(() => RocksDbPluginSettings.Create(config, "mwg.persistence.journal"));

        Assert.Contains(namedPath, error.Message, StringComparison.Ordinal);
    }
}
