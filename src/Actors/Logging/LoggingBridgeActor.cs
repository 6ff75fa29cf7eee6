using System.Collections;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Microsoft.Extensions.Logging;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace MwgActors.Actors.Logging;

/// <summary>
/// An Akka logger (named in <c>akka.loggers</c>, see <see cref="AkkaLogging"/>) that writes every log event of its
/// actor system to the <see cref="ILoggerFactory"/> of the system's <see cref="LoggerFactorySetup"/>. The category is
/// the class that logged (<c>MwgActors.Actors.Storage.StorageActor</c>), the message template and its values travel as
/// structured state (<c>{OriginalFormat}</c>, each named value, and <c>LogSource</c>: the actor path), so a JSON
/// formatter writes them as properties. Without a setup the events go to standard output as Akka writes them.
/// </summary>
public sealed class LoggingBridgeActor : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory? _factory;
    private readonly Dictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);

    public LoggingBridgeActor()
    {
        var setup = Context.System.Settings.Setup.Get<LoggerFactorySetup>();
        _factory = setup.HasValue ? setup.Value.LoggerFactory : null;

        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    private void Write(LogEvent logEvent)
    {
        if (_factory is null)
        {
            Console.WriteLine(logEvent.ToString());
            return;
        }

        var logger = LoggerFor(logEvent);
        var level = Level(logEvent.LogLevel());
        if (!logger.IsEnabled(level))
        {
            return;
        }

        logger.Log(level, default, new LogEventState(logEvent), logEvent.Cause, static (state, _) => state.ToString());
    }

    private ILogger LoggerFor(LogEvent logEvent)
    {
        // A log source given as a string (system.Log, Logging.GetLogger(system, "name")) has no class of its own.
        var category = logEvent.LogClass is { } type && type != typeof(DummyClassForStringSources)
            ? type.FullName ?? type.Name
            : logEvent.LogSource ?? "Akka";
        if (!_loggers.TryGetValue(category, out var logger))
        {
            logger = _factory!.CreateLogger(category);
            _loggers.Add(category, logger);
        }

        return logger;
    }

    private static LogLevel Level(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };

    /// <summary>
    /// The event as Microsoft.Extensions.Logging's structured state: the template's named values, the template itself
    /// (<c>{OriginalFormat}</c>, as a source-generated or LoggerMessage call would give it) and the actor path.
    /// </summary>
    private sealed class LogEventState : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly LogEvent _event;
        private readonly List<KeyValuePair<string, object?>> _items = [];

        public LogEventState(LogEvent logEvent)
        {
            _event = logEvent;
            if (logEvent.TryGetProperties(out var properties) && properties is not null)
            {
                foreach (var property in properties)
                {
                    _items.Add(new KeyValuePair<string, object?>(property.Key, property.Value));
                }
            }

            _items.Add(new KeyValuePair<string, object?>("LogSource", logEvent.LogSource));
            _items.Add(new KeyValuePair<string, object?>("{OriginalFormat}", logEvent.GetTemplate()));
        }

        public int Count => _items.Count;

        public KeyValuePair<string, object?> this[int index] => _items[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>The message with its values filled in, as Akka formats it.</summary>
        public override string ToString() => _event.Message?.ToString() ?? string.Empty;
    }
}
