using Microsoft.Extensions.Logging;

namespace MwgActors.Actors.Logging;

/// <summary>
/// Hands an actor system the <see cref="ILoggerFactory"/> its <see cref="LoggingBridgeActor"/> writes to. Pass it
/// when creating the system: <c>ActorSystem.Create("mwg", AkkaLogging.Setup(config, loggerFactory))</c>.
/// </summary>
public sealed class LoggerFactorySetup : Akka.Actor.Setup.Setup
{
    public LoggerFactorySetup(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        LoggerFactory = loggerFactory;
    }

    public ILoggerFactory LoggerFactory { get; }
}
