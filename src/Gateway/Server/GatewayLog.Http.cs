namespace MwgActors.Gateway.Server;

/// <summary>The HTTP side's refusals (Host, listings in flight).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request from {Remote}: Host {Host} is not in mwg.server.allowed-hosts (421)")]
    public static partial void HostRefused(ILogger logger, string? remote, string? host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a key listing from {Remote}: {Max} listings in flight, mwg.server.max-concurrent-listings (503)")]
    public static partial void TooManyListings(ILogger logger, string? remote, int max);
}
