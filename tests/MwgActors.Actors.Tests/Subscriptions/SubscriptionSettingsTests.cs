using Akka.Configuration;
using MwgActors.Actors.Subscriptions;

namespace MwgActors.Actors.Tests.Subscriptions;

public sealed class SubscriptionSettingsTests
{
    [Fact]
    public void Reference_config_should_give_every_default()
    {
        var settings = SubscriptionSettings.Create(SubscriptionTestConfig.Reference);

        Assert.Equal("mwg-storage", settings.StoragePersistenceId);
        Assert.Equal("", settings.JournalPluginId);
        Assert.Equal(1000, settings.ReplayBatchSize);
        Assert.Equal(10_000, settings.MaxCatchUpBuffer);
        Assert.Equal(64L * 1024 * 1024, settings.MaxMemoryBytes);
        Assert.Equal(8L * 1024 * 1024, settings.MaxCatchUpBufferBytes);
    }

    [Fact]
    public void Overrides_should_win_over_the_reference()
    {
        var config = ConfigurationFactory.ParseString("""
            mwg.subscriptions {
              storage-persistence-id = other
              journal-plugin-id = "akka.persistence.journal.inmem"
              replay-batch-size = 7
              max-catch-up-buffer = 9
              max-memory = 1m
              max-catch-up-buffer-bytes = 64k
            }
            """).WithFallback(SubscriptionTestConfig.Reference);

        Assert.Equal(
            new SubscriptionSettings("other", "akka.persistence.journal.inmem", 7, 9, 1024 * 1024, 64 * 1024),
            SubscriptionSettings.Create(config));
    }

    [Theory]
    [InlineData("mwg.subscriptions.replay-batch-size = 0", "mwg.subscriptions.replay-batch-size")]
    [InlineData("mwg.subscriptions.max-catch-up-buffer = -1", "mwg.subscriptions.max-catch-up-buffer")]
    [InlineData("mwg.subscriptions.max-memory = 0", "mwg.subscriptions.max-memory")]
    [InlineData("mwg.subscriptions.max-catch-up-buffer-bytes = 0", "mwg.subscriptions.max-catch-up-buffer-bytes")]
    [InlineData("mwg.subscriptions.replay-batch-size = lots", "mwg.subscriptions.replay-batch-size")]
    [InlineData("mwg.subscriptions.storage-persistence-id = \"\"", "mwg.subscriptions.storage-persistence-id")]
    public void Invalid_values_should_be_refused_naming_their_path(string hocon, string path)
    {
        var config = ConfigurationFactory.ParseString(hocon).WithFallback(SubscriptionTestConfig.Reference);

        var error = Assert.Throws<ConfigurationException>(() => SubscriptionSettings.Create(config));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_section_should_be_refused_naming_the_section()
    {
        var error = Assert.Throws<ConfigurationException>(() => SubscriptionSettings.Create(Config.Empty));
        Assert.Contains("'mwg.subscriptions'", error.Message, StringComparison.Ordinal);
    }
}
