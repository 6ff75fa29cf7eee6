using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MwgActors.Actors.Api;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Hosting;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Server;

/// <summary>Readiness, figures and the forced reload over HTTP.</summary>
internal sealed class AdminEndpoints
{
    private readonly MwgActorsExtension _mwg;
    private readonly ConnectionRegistry _connections;
    private readonly ITokenValidator? _validator;

    /// <param name="validator">Null when authentication is off; else /admin/* needs a token with the reload right.</param>
    public AdminEndpoints(MwgActorsExtension mwg, ConnectionRegistry connections, ITokenValidator? validator)
    {
        _mwg = mwg;
        _connections = connections;
        _validator = validator;
    }

    /// <summary>200 once the storage actor has recovered and answers; 503 otherwise.</summary>
    public async Task<IResult> ReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var revision = await _mwg.Store.GetRevisionAsync(cancellationToken);
            return Results.Text($"ready at revision {revision}\n");
        }
        catch (MwgApiException)
        {
            return Results.Text("not ready\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    public async Task<IResult> StatsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (Refusal(request, []) is { } refused)
        {
            return refused;
        }

        var revision = await _mwg.Store.GetRevisionAsync(cancellationToken);
        var subscriptions = await _mwg.Store.GetSubscriptionStatsAsync(cancellationToken);
        return Results.Json(new Dictionary<string, object>
        {
            ["revision"] = revision,
            ["subscriptions"] = subscriptions.Subscriptions,
            ["subscribers"] = subscriptions.Subscribers,
            ["connections"] = _connections.Count,
            ["connectionsG1"] = _connections.CountOf(Dialect.G1),
            ["connectionsExtended"] = _connections.CountOf(Dialect.Extended),
            ["connectionsJson"] = _connections.CountOf(Dialect.Json),
        });
    }

    /// <summary>
    /// <c>POST /admin/reload</c> with <c>{"prefixes": ["a", "b"], "encoding": "utf8" | "base64"}</c>: pushes a reload of
    /// those keys or prefixes to exactly the subscriptions that overlap them; answers <c>{"subscriptions": n}</c>.
    /// The token is checked before the body is read; the body must be declared <c>application/json</c> (415
    /// otherwise), which a cross-site form cannot send and a cross-site script cannot without a CORS preflight.
    /// </summary>
    public async Task<IResult> ReloadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (Refusal(request, []) is { } refused)
        {
            return refused;
        }

        if (!IsJson(request.ContentType))
        {
            return Results.Json(new { error = "the body must be sent as Content-Type: application/json" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        List<byte[]> prefixes;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            var base64 = body.RootElement.TryGetProperty("encoding", out var encoding) && encoding.GetString() == "base64";
            prefixes = [.. body.RootElement.GetProperty("prefixes").EnumerateArray()
                .Select(p => base64 ? Convert.FromBase64String(p.GetString() ?? string.Empty) : Encoding.UTF8.GetBytes(p.GetString() ?? string.Empty))];
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Results.Json(new { error = "expected {\"prefixes\": [...], \"encoding\": \"utf8\" | \"base64\"}" }, statusCode: StatusCodes.Status400BadRequest);
        }

        if (Refusal(request, prefixes) is { } forbidden)
        {
            return forbidden;
        }

        var pushed = await _mwg.Store.ForceReloadAsync(prefixes, cancellationToken);
        return Results.Json(new { subscriptions = pushed });
    }

    /// <summary>An endpoint filter that answers 401 unless the request has a valid token (any rights): for /metrics.</summary>
    public async ValueTask<object?> RequireToken(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (_validator is not null && (HandshakeToken.From(request) is not { } token || !_validator.TryValidate(token, out _, out _)))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new { error = "a token is required (Authorization: Bearer TOKEN)" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        return await next(context);
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// 401 without a valid token, 403 when the token lacks the reload right (on every one of
    /// <paramref name="prefixes"/>, or at all); null when the request may proceed or authentication is off.
    /// </summary>
    private IResult? Refusal(HttpRequest request, IReadOnlyList<byte[]> prefixes)
    {
        if (_validator is null)
        {
            return null;
        }

        if (HttpPrincipal.Resolve(request, _validator, out var unauthenticated) is not { } principal)
        {
            return unauthenticated;
        }

        var allowed = principal.PrefixesFor(Right.Reload).Count > 0 && prefixes.All(p => principal.AllowsAllUnder(Right.Reload, p));
        return allowed ? null : Results.Json(new { error = "the token lacks the reload right" }, statusCode: StatusCodes.Status403Forbidden);
    }
}
