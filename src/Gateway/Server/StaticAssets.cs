using System.Collections.Frozen;
using System.Security.Cryptography;

namespace MwgActors.Gateway.Server;

/// <summary>
/// The live page (<c>/ui/</c>) and the JavaScript client (<c>/client/mwg.js</c>), embedded in the gateway assembly
/// (from <c>src/Gateway/Ui</c> and <c>clients/js</c>) so the binary serves them with nothing to deploy beside it.
/// Plain GETs: the websocket endpoint at "/" is untouched.
/// </summary>
internal sealed class StaticAssets
{
    private const string ResourcePrefix = "mwg-static/";

    // The page loads only its own scripts and styles, and talks only to this server (its websocket and HTTP API).
    private const string PageSecurityPolicy =
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private readonly FrozenDictionary<string, Asset> _assets;

    private StaticAssets(FrozenDictionary<string, Asset> assets) => _assets = assets;

    /// <summary>Request paths served (e.g. <c>/ui/index.html</c>, <c>/client/mwg.js</c>).</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    public static StaticAssets Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var path = "/" + name[ResourcePrefix.Length..];
            assets[path] = new Asset(bytes, ContentType(path), "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 16) + "\"");
        }

        return new StaticAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public void Map(WebApplication app)
    {
        // Routing ignores a trailing slash, so /ui and /ui/ are one route: /ui is sent to /ui/ for the page's
        // relative links (ui.css, ../client/mwg.js) to resolve.
        app.MapGet("/ui/{file?}", (HttpContext context, string? file) => file is not null
            ? Serve(context, "/ui/" + file)
            : context.Request.Path.Value!.EndsWith('/')
                ? Serve(context, "/ui/index.html")
                : Results.Redirect("/ui/" + context.Request.QueryString));
        app.MapGet("/client/{file}", (HttpContext context, string file) => Serve(context, "/client/" + file));
    }

    private IResult Serve(HttpContext context, string path)
    {
        if (!_assets.TryGetValue(path, out var asset))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache"; // revalidate: a new server version serves new files at the same paths
        headers.XContentTypeOptions = "nosniff";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = PageSecurityPolicy;
        }

        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static string ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".ts" => "text/plain; charset=utf-8",
        ".png" => "image/png",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
