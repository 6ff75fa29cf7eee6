using System.Text;
using System.Text.Json;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Server;

/// <summary>Readiness, figures and the forced reload over HTTP.</summary>
internal sealed class AdminEndpoints
{
    private readonly MwgActorsExtension _mwg;
    private readonly ConnectionRegistry _connections;

    public AdminEndpoints(MwgActorsExtension mwg, ConnectionRegistry connections)
    {
        _mwg = mwg;
        _connections = connections;
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

    public async Task<IResult> StatsAsync(CancellationToken cancellationToken)
    {
        var revision = await _mwg.Store.GetRevisionAsync(cancellationToken);
        return Results.Json(new Dictionary<string, object>
        {
            ["revision"] = revision,
            ["connections"] = _connections.Count,
            ["connectionsG1"] = _connections.CountOf(Dialect.G1),
            ["connectionsExtended"] = _connections.CountOf(Dialect.Extended),
            ["connectionsJson"] = _connections.CountOf(Dialect.Json),
        });
    }

    /// <summary>
    /// <c>POST /admin/reload</c> with <c>{"prefixes": ["a", "b"], "encoding": "utf8" | "base64"}</c>: pushes a reload of
    /// those keys or prefixes to exactly the subscriptions that overlap them; answers <c>{"subscriptions": n}</c>.
    /// </summary>
    public async Task<IResult> ReloadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
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

        var pushed = await _mwg.Store.ForceReloadAsync(prefixes, cancellationToken);
        return Results.Json(new { subscriptions = pushed });
    }
}
