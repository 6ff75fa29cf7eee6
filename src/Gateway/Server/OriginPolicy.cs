using System.Net;

namespace MwgActors.Gateway.Server;

/// <summary>
/// Which browser origins may open a websocket: the defence against cross-site websocket hijacking, where a page
/// on another site makes the visitor's browser connect with the visitor's network position (and, with
/// authentication, any credentials the browser sends along).
/// </summary>
internal static class OriginPolicy
{
    public static bool Allows(ServerSettings settings, HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            // Not a browser: browsers always send Origin on a websocket upgrade, other clients have no page to forge.
            return true;
        }

        if (settings.AllowedOrigins.Count > 0)
        {
            return settings.AllowedOrigins.Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase);
        }

        // No list: a page served by this host. Without authentication, also a page on this machine (a local dev
        // server): with nothing to steal, what is defended is the local server against pages from the Internet.
        // The Host header was checked (HostPolicy), so a rebound name is not "this host".
        return IsSameOrigin(origin, request) || (!settings.AuthenticationEnabled && IsLoopback(origin));
    }

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static bool IsLoopback(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
