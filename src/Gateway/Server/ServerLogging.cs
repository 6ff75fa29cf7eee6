using System.Text.Json;
using MwgActors.Actors.Logging;

namespace MwgActors.Gateway.Server;

/// <summary>
/// The server's logging: Microsoft.Extensions.Logging to the console, one line per event (text or JSON), at
/// <c>mwg.logging.level</c>. Akka's events reach the same loggers through <see cref="LoggingBridgeActor"/>.
/// </summary>
internal static class ServerLogging
{
    private const string Timestamp = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static void Configure(ILoggingBuilder logging, LoggingSettings settings)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(settings.Level);
        if (settings.Format == LogFormat.Json)
        {
            logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = Timestamp.TrimEnd();
                json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
            });
        }
        else
        {
            logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = Timestamp;
            });
        }

        // ASP.NET Core writes a line per HTTP request at Information: only its warnings and errors, whatever the level.
        logging.AddFilter("Microsoft", settings.Level > LogLevel.Warning ? settings.Level : LogLevel.Warning);

        // A host that fails to start (a port in use) is reported by the caller in one line; not as a stack trace here.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }
}
