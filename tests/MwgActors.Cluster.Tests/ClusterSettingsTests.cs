using Akka.Configuration;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Hosting;
using MwgActors.Storage;

namespace MwgActors.Cluster.Tests;

public sealed class ClusterSettingsTests
{
    [Fact]
    public void Defaults_should_be_those_of_reference_conf()
    {
        var settings = ClusterSettings.Create(MwgReferenceConfig.Load());

        Assert.False(settings.Enabled);
        Assert.Equal(string.Empty, settings.JournalConnectionString);
        Assert.Equal("PostgreSQL.15", settings.JournalProviderName);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.JournalRefreshInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ReadWaitTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(200), settings.LocateInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.PositionInterval);
        Assert.Equal("mwg.changes", settings.ChangesTopic);
        Assert.Empty(settings.Roles);
        Assert.True(settings.IsGateway);
        Assert.True(settings.IsStorage);
    }

    [Fact]
    public void Cluster_mode_without_a_journal_connection_string_should_be_refused_naming_the_setting()
    {
        var error = Assert.Throws<ConfigurationException>(() => MwgConfig.Build(ConfigurationFactory.ParseString("mwg.cluster.enabled = on")));
        Assert.Contains("mwg.cluster.journal.connection-string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_role_should_be_refused()
    {
        var error = Assert.Throws<ConfigurationException>(() => ClusterSettings.Create(
            ConfigurationFactory.ParseString("akka.cluster.roles = [gateway, backend]").WithFallback(MwgReferenceConfig.Load())));
        Assert.Contains("backend", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_mode_should_select_the_cluster_provider_and_the_sql_plugins_on_the_shared_database()
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("""
            mwg.cluster.enabled = on
            mwg.cluster.journal.connection-string = "Host=db;Database=mwg"
            """));

        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal(SqlPlugins.Journal, config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal(SqlPlugins.SnapshotStore, config.GetString("akka.persistence.snapshot-store.plugin"));
        foreach (var plugin in new[] { SqlPlugins.Journal, SqlPlugins.SnapshotStore, SqlPlugins.Query })
        {
            Assert.Equal("Host=db;Database=mwg", config.GetString(plugin + ".connection-string"));
            Assert.Equal("PostgreSQL.15", config.GetString(plugin + ".provider-name"));
        }

        Assert.Equal(["gateway", "storage"], config.GetStringList("akka.cluster.roles"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
    }

    [Fact]
    public void Single_node_mode_should_keep_the_RocksDB_journal()
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("mwg.storage.path = \"/tmp/x\""));

        Assert.Equal("mwg.persistence.journal", config.GetString("akka.persistence.journal.plugin"));
        Assert.False(config.HasPath("akka.actor.provider") && config.GetString("akka.actor.provider") == "cluster");
    }
}
