using Akka.Configuration;

namespace MwgActors.Gateway.Server;

/// <summary>The server's metrics endpoint, from <c>mwg.server.metrics</c>.</summary>
/// <param name="Enabled">Serve the Prometheus text at <paramref name="Path"/>.</param>
public sealed record MetricsSettings(bool Enabled, string Path)
{
    public const string Section = ServerSettings.Path + ".metrics";

    /// <param name="server">The <c>mwg.server</c> section.</param>
    /// <exception cref="ConfigurationException">A setting is missing or invalid; the message names it.</exception>
    public static MetricsSettings Create(Config server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var c = server.GetConfig("metrics") ?? throw new ConfigurationException($"missing configuration section '{Section}'");
        bool enabled;
        try
        {
            enabled = c.HasPath("enabled") ? c.GetBoolean("enabled") : throw new ConfigurationException("missing");
        }
        catch (Exception ex) when (ex is FormatException or ConfigurationException or NotSupportedException or ArgumentException)
        {
            throw new ConfigurationException($"invalid setting {Section}.enabled: must be on or off");
        }

        var path = c.GetString("path", string.Empty) ?? string.Empty;
        if (!path.StartsWith('/') || path.Length < 2 || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal))
        {
            throw new ConfigurationException($"invalid setting {Section}.path: '{path}' is not a path such as /metrics");
        }

        return new MetricsSettings(enabled, path);
    }
}
