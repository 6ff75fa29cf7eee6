using Akka.Configuration;
using Microsoft.Extensions.Logging;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Logging;

/// <summary>How <c>mwg serve</c> logs, from <c>mwg.logging</c> (an embedding app configures its own logging).</summary>
/// <param name="Level">Events below this level are not written (Akka's own events included).</param>
/// <param name="Format">One line of text or one JSON object per event.</param>
public sealed record LoggingSettings(LogLevel Level, LogFormat Format)
{
    public const string Path = "mwg.logging";

    public static LoggingSettings Create(Config root)
    {
        var c = ConfigReading.Section(root, Path);
        return new LoggingSettings(
            ConfigReading.Enum<LogLevel>(c, Path, "level"),
            ConfigReading.Enum<LogFormat>(c, Path, "format"));
    }
}

/// <summary>The console format of log events.</summary>
public enum LogFormat
{
    /// <summary>One line per event: timestamp, level, category, message (and the exception, on the same line).</summary>
    Text,

    /// <summary>One JSON object per line, with the message template's properties.</summary>
    Json,
}
