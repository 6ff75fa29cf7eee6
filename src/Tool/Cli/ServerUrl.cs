namespace MwgActors.Tool.Cli;

/// <summary>
/// The <c>--url</c> of the client commands: one address for both the websocket (<c>ws://</c>, <c>wss://</c>) and the
/// HTTP admin endpoints (<c>http://</c>, <c>https://</c>) on the same host and port; either form is accepted.
/// </summary>
internal static class ServerUrl
{
    public const string Default = "ws://127.0.0.1:7513/";

    /// <summary>The websocket address for <paramref name="url"/> (http becomes ws, https becomes wss).</summary>
    public static Uri WebSocket(string? url) => WithScheme(url, secure => secure ? "wss" : "ws", path: null);

    /// <summary>The HTTP address of <paramref name="path"/> on the server of <paramref name="url"/>.</summary>
    public static Uri Http(string? url, string path) => WithScheme(url, secure => secure ? "https" : "http", path);

    private static Uri WithScheme(string? url, Func<bool, string> scheme, string? path)
    {
        if (!Uri.TryCreate(url ?? Default, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"--url must be an absolute ws:// or http:// address, not '{url}'");
        }

        bool secure = uri.Scheme switch
        {
            "ws" or "http" => false,
            "wss" or "https" => true,
            _ => throw new ArgumentException($"--url must be ws://, wss://, http:// or https://, not '{uri.Scheme}://'"),
        };

        var builder = new UriBuilder(uri) { Scheme = scheme(secure), Port = uri.Port };
        if (path is not null)
        {
            builder.Path = path;
        }

        return builder.Uri;
    }
}
