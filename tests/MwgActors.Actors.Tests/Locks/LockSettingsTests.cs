using Akka.Configuration;
using MwgActors.Actors.Locks;

namespace MwgActors.Actors.Tests.Locks;

public sealed class LockSettingsTests
{
    [Fact]
    public void Create_should_read_every_default_from_reference_conf()
    {
        var settings = LockSettings.Create(LockTestConfig.Reference);

        Assert.Equal(TimeSpan.FromSeconds(30), settings.GracePeriod);
        Assert.Equal("mwg-locks", settings.PersistenceId);
        Assert.Equal(1000, settings.SnapshotEvery);
        Assert.Equal(string.Empty, settings.JournalPluginId);
        Assert.Equal(string.Empty, settings.SnapshotPluginId);
        Assert.Equal(64, settings.MaxLeasesPerOwner);
    }

    [Fact]
    public void Create_should_take_overrides_over_the_reference()
    {
        var config = ConfigurationFactory.ParseString("""
            mwg.locks {
              grace-period = 300ms
              persistence-id = "locks-test"
              snapshot-every = 5
              journal-plugin-id = "akka.persistence.journal.inmem"
              snapshot-plugin-id = "akka.persistence.snapshot-store.inmem"
              max-leases-per-owner = 3
            }
            """).WithFallback(LockTestConfig.Reference);

        var settings = LockSettings.Create(config);

        Assert.Equal(
            new LockSettings(
                TimeSpan.FromMilliseconds(300), "locks-test", 5, "akka.persistence.journal.inmem", "akka.persistence.snapshot-store.inmem", 3),
            settings);
    }

    [Theory]
    [InlineData("grace-period = -1s", "mwg.locks.grace-period")]
    [InlineData("grace-period = soon", "mwg.locks.grace-period")]
    [InlineData("persistence-id = \"\"", "mwg.locks.persistence-id")]
    [InlineData("snapshot-every = 0", "mwg.locks.snapshot-every")]
    [InlineData("snapshot-every = many", "mwg.locks.snapshot-every")]
    [InlineData("max-leases-per-owner = 0", "mwg.locks.max-leases-per-owner")]
    public void Create_should_refuse_a_bad_value_naming_its_path(string setting, string path)
    {
        var config = ConfigurationFactory.ParseString($"mwg.locks {{ {setting} }}").WithFallback(LockTestConfig.Reference);

        var error = Assert.Throws<ConfigurationException>(() => LockSettings.Create(config));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_should_refuse_a_config_without_the_section()
    {
        var error = Assert.Throws<ConfigurationException>(() => LockSettings.Create(ConfigurationFactory.ParseString("a = 1")));

        Assert.Contains("mwg.locks", error.Message, StringComparison.Ordinal);
    }
}
