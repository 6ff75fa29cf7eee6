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

        // No list: any origin while there is no authentication to steal. With authentication, the default turns
        // into same-origin only (a page served by this host).
        return !settings.AuthenticationEnabled || IsSameOrigin(origin, request);
    }

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
