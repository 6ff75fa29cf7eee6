using System.Net;

namespace MwgActors.Gateway.Server;

/// <summary>
/// Which Host header a request may carry: the defence against DNS rebinding, where a page on evil.example has its
/// name re-resolved to 127.0.0.1 and then reads this server as "same-origin". The attacker's page can only make the
/// browser send its own name, so a name this server does not know is refused; address literals cannot be rebound.
/// </summary>
internal static class HostPolicy
{
    /// <summary>421 Misdirected Request: the request named a host this server does not answer for.</summary>
    public const int RefusedStatus = StatusCodes.Status421MisdirectedRequest;

    /// <summary>
    /// Allowed: no Host (HTTP/1.0, not a browser), <c>localhost</c>, any IP address literal, the names in
    /// <c>mwg.server.allowed-hosts</c>; with an empty list on a bind beyond loopback (TLS or authentication guard
    /// it, or --insecure exposed it anyway), any name. Ports are not compared.
    /// </summary>
    public static bool Allows(ServerSettings settings, HostString host)
    {
        if (!host.HasValue)
        {
            return true;
        }

        var hosts = settings.Http.AllowedHosts;
        if (hosts.Count == 0 && !IPAddress.IsLoopback(settings.Bind))
        {
            return true;
        }

        var name = host.Host.TrimEnd('.');
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(name.Trim('[', ']'), out _)
            || hosts.Contains("*")
            || hosts.Contains(name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>A middleware answering 421 to a request whose Host is not allowed, before any endpoint runs.</summary>
    public static Func<HttpContext, RequestDelegate, Task> Middleware(ServerSettings settings, ILogger log) => (context, next) =>
    {
        if (Allows(settings, context.Request.Host))
        {
            return next(context);
        }

        GatewayLog.HostRefused(log, context.Connection.RemoteIpAddress?.ToString(), context.Request.Host.Value);
        context.Response.StatusCode = RefusedStatus;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("MwgActors: unknown Host (add it to mwg.server.allowed-hosts)\n", context.RequestAborted);
    };
}
