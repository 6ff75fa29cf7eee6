using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>
/// An Akka logger (<c>akka.loggers</c>) that keeps every event of its actor system, by system name, so a spec can
/// read what a system logged from its start on, when no TestKit probe is subscribed yet.
/// </summary>
public sealed class RecordingLogger : ReceiveActor
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<LogEvent>> Events = new();

    public RecordingLogger()
    {
        var events = Events.GetOrAdd(Context.System.Name, _ => new ConcurrentQueue<LogEvent>());
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(events.Enqueue);
    }

    /// <summary>The HOCON that installs this logger, at every level.</summary>
    public const string Hocon = """
        akka.loglevel = DEBUG
        akka.loggers = ["MwgActors.Storage.Tests.Persistence.RecordingLogger, MwgActors.Storage.Tests"]
        """;

    /// <summary>What the system named <paramref name="systemName"/> logged so far.</summary>
    public static IReadOnlyList<LogEvent> Of(string systemName) =>
        Events.TryGetValue(systemName, out var events) ? [.. events] : [];
}
