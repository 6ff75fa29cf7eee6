using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Microsoft.Extensions.Logging;

namespace MwgActors.Actors.Logging;

/// <summary>
/// Routes an actor system's log events to Microsoft.Extensions.Logging: <see cref="Config"/> names
/// <see cref="LoggingBridgeActor"/> in <c>akka.loggers</c> and sets Akka's level, <see cref="Setup"/> passes the
/// logger factory it writes to.
/// </summary>
public static class AkkaLogging
{
    /// <summary>The value for <c>akka.loggers</c>.</summary>
    public const string LoggerTypeName = "MwgActors.Actors.Logging.LoggingBridgeActor, MwgActors.Actors";

    /// <summary>
    /// HOCON that makes <see cref="LoggingBridgeActor"/> the system's only logger and sets Akka's levels to
    /// <paramref name="level"/>, so events below it are not even created. Layer it over the system's configuration.
    /// </summary>
    public static Config Config(LogLevel level) => LoggersConfig.WithFallback(LevelConfig(level));

    /// <summary><c>akka.loggers</c> naming only <see cref="LoggingBridgeActor"/>.</summary>
    public static Config LoggersConfig { get; } = ConfigurationFactory.ParseString($"akka.loggers = [\"{LoggerTypeName}\"]");

    /// <summary>
    /// <c>akka.loglevel</c> at the Akka level nearest to <paramref name="level"/>. <c>akka.stdout-loglevel</c> (what
    /// Akka prints in its own format before the loggers start and after they stop) never goes below WARNING, so those
    /// few lines stay out of the way.
    /// </summary>
    public static Config LevelConfig(LogLevel level) =>
        ConfigurationFactory.ParseString($"""
            akka.loglevel = {AkkaLevel(level)}
            akka.stdout-loglevel = {AkkaLevel(level < LogLevel.Warning ? LogLevel.Warning : level)}
            """);

    /// <summary>The setup of a system whose log events go to <paramref name="loggerFactory"/>.</summary>
    public static ActorSystemSetup Setup(Config config, ILoggerFactory loggerFactory) =>
        BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(loggerFactory));

    /// <summary>Akka's name of the nearest level (Akka has no trace, nor critical).</summary>
    public static string AkkaLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error or LogLevel.Critical => "ERROR",
        _ => "OFF",
    };
}
