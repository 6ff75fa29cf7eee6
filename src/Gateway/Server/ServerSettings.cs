using System.Net;
using Akka.Configuration;

namespace MwgActors.Gateway.Server;

/// <summary>Settings of the websocket gateway, from <c>mwg.server</c>.</summary>
public sealed record ServerSettings(IPAddress Bind, int Port, TimeSpan ShutdownTimeout)
{
    public const string Path = "mwg.server";

    public static ServerSettings Create(Config root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var c = root.GetConfig(Path) ?? throw new ConfigurationException($"missing configuration section '{Path}'");
        var bindText = c.GetString("bind", string.Empty);
        if (!IPAddress.TryParse(bindText, out var bind) && !string.Equals(bindText, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"invalid setting {Path}.bind: '{bindText}' is not an IP address");
        }

        var port = Read(c, "port", s => s.GetInt("port", -1));
        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"invalid setting {Path}.port: must be between 0 and 65535");
        }

        var shutdown = Read(c, "shutdown-timeout", s => s.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(10), allowInfinite: false));
        if (shutdown < TimeSpan.Zero)
        {
            throw new ConfigurationException($"invalid setting {Path}.shutdown-timeout: must not be negative");
        }

        return new ServerSettings(bind ?? IPAddress.Loopback, port, shutdown);
    }

    // HOCON throws FormatException and friends for a value of the wrong type; the operator needs the setting's name.
    private static T Read<T>(Config section, string key, Func<Config, T> read)
    {
        try
        {
            return read(section);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ConfigurationException)
        {
            throw new ConfigurationException($"invalid setting {Path}.{key}: has a value of the wrong type");
        }
    }
}
