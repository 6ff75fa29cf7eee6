namespace MwgActors.Gateway.Server;

/// <summary>The gateway's log lines: one per refused connection (each is logged once, when refused).</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a websocket from {Remote}: origin {Origin} is not in mwg.server.allowed-origins (403)")]
    public static partial void OriginRefused(ILogger logger, string? remote, string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a websocket from {Remote}: {Open} connections open, mwg.server.max-connections is {Max} (503)")]
    public static partial void TooManyConnections(ILogger logger, string? remote, int open, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a websocket without a token from {Remote}: {Max} connections are waiting to authenticate, mwg.server.max-unauthenticated-connections (at most half of max-connections) (503)")]
    public static partial void TooManyUnauthenticated(ILogger logger, string? remote, int max);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a websocket from {Remote}: invalid or expired token (401)")]
    public static partial void TokenRefused(ILogger logger, string? remote);
}
