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

        var port = c.GetInt("port", -1);
        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"invalid setting {Path}.port: must be between 0 and 65535");
        }

        var shutdown = c.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(10), allowInfinite: false);
        if (shutdown < TimeSpan.Zero)
        {
            throw new ConfigurationException($"invalid setting {Path}.shutdown-timeout: must not be negative");
        }

        return new ServerSettings(bind ?? IPAddress.Loopback, port, shutdown);
    }
}
