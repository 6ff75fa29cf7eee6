using Akka.Configuration;
using Microsoft.Extensions.Logging;
using MwgActors.Actors.Logging;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Settings;

public sealed class LoggingSettingsTests
{
    [Fact]
    public void Reference_config_should_give_every_default() =>
        Assert.Equal(new LoggingSettings(LogLevel.Information, LogFormat.Text), LoggingSettings.Create(MwgReferenceConfig.Load()));

    [Fact]
    public void Overrides_should_win_over_the_reference() =>
        Assert.Equal(
            new LoggingSettings(LogLevel.Warning, LogFormat.Json),
            LoggingSettings.Create(Parse("mwg.logging { level = warning, format = json }")));

    [Theory]
    [InlineData("mwg.logging.level = loud", "mwg.logging.level")]
    [InlineData("mwg.logging.format = xml", "mwg.logging.format")]
    public void Invalid_values_should_be_refused_naming_their_path(string hocon, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => LoggingSettings.Create(Parse(hocon)));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LogLevel.Trace, "DEBUG", "WARNING")]
    [InlineData(LogLevel.Information, "INFO", "WARNING")]
    [InlineData(LogLevel.Error, "ERROR", "ERROR")]
    [InlineData(LogLevel.None, "OFF", "OFF")]
    public void Akka_levels_should_follow_the_level(LogLevel level, string loglevel, string stdoutLevel)
    {
        var config = AkkaLogging.Config(level);

        Assert.Equal(loglevel, config.GetString("akka.loglevel"));
        Assert.Equal(stdoutLevel, config.GetString("akka.stdout-loglevel"));
        Assert.Equal([AkkaLogging.LoggerTypeName], config.GetStringList("akka.loggers"));
    }

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(MwgReferenceConfig.Load());
}
