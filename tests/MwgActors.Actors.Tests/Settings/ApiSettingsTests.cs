using Akka.Configuration;
using MwgActors.Actors.Api;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Settings;

public sealed class ApiSettingsTests
{
    [Fact]
    public void Reference_config_should_give_every_default() =>
        Assert.Equal(new ApiSettings(TimeSpan.FromSeconds(30), 10_000), ApiSettings.Create(MwgReferenceConfig.Load()));

    [Fact]
    public void Overrides_should_win_over_the_reference() =>
        Assert.Equal(
            new ApiSettings(TimeSpan.FromMilliseconds(250), 8),
            ApiSettings.Create(Parse("mwg.api { ask-timeout = 250ms, subscription-buffer = 8 }")));

    [Theory]
    [InlineData("mwg.api.ask-timeout = 0s", "mwg.api.ask-timeout")]
    [InlineData("mwg.api.ask-timeout = whenever", "mwg.api.ask-timeout")]
    [InlineData("mwg.api.subscription-buffer = 0", "mwg.api.subscription-buffer")]
    [InlineData("mwg.api.subscription-buffer = 1.5", "mwg.api.subscription-buffer")]
    public void Invalid_values_should_be_refused_naming_their_path(string hocon, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => ApiSettings.Create(Parse(hocon)));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(MwgReferenceConfig.Load());
}
