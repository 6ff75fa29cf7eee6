using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using MwgActors.Actors.Api;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Hosting;

namespace MwgActors.Gateway.Server;

/// <summary>
/// <c>GET /keys?prefix=P&amp;limit=N&amp;encoding=utf8|base64</c>: the pairs under a prefix in key order (at most
/// <see cref="MaxLimit"/> pairs and about <see cref="MaxBytes"/>), with the
/// revision they are at least as new as, so a client can list a prefix and then subscribe after that revision
/// without missing a change. The protocol has no scan; this is the browsing the live page needs.
/// With authentication on it needs a token with the read right on every key under the prefix.
/// </summary>
internal sealed class KeysEndpoint
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    /// <summary>Keys and values of one listing at most (about: the pair that crosses it is kept), so a listing of large
    /// values cannot hold gigabytes in the server; <c>truncated</c> then says there is more.</summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    // The reply is flushed to the socket in chunks of about this size rather than built whole.
    private const int FlushBytes = 64 * 1024;

    private readonly MwgActorsExtension _mwg;
    private readonly ITokenValidator? _validator;

    public KeysEndpoint(MwgActorsExtension mwg, ITokenValidator? validator)
    {
        _mwg = mwg;
        _validator = validator;
    }

    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!TryParse(request.Query, out var prefix, out var limit, out var base64, out var invalid))
        {
            return BadRequest(invalid);
        }

        if (HttpPrincipal.Resolve(request, _validator, out var unauthenticated) is not { } principal)
        {
            return unauthenticated!;
        }

        if (!principal.AllowsAllUnder(Right.Read, prefix))
        {
            return Results.Json(new { error = "the token lacks the read right on this prefix" }, statusCode: StatusCodes.Status403Forbidden);
        }

        Actors.Storage.StorageProtocol.PrefixScanned scanned;
        try
        {
            scanned = await _mwg.Store.ScanAsync(prefix, limit, MaxBytes, cancellationToken);
        }
        catch (MwgApiException)
        {
            return Results.Json(new { error = "storage unavailable, retry" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (!base64 && scanned.Pairs.Any(p => !Utf8.IsValid(p.Key) || !Utf8.IsValid(p.Value)))
        {
            return Results.Json(new { error = "a key or value is not UTF-8; ask with encoding=base64" }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        return Results.Stream(stream => WriteAsync(stream, scanned, base64), "application/json");
    }

    private static async Task WriteAsync(Stream stream, Actors.Storage.StorageProtocol.PrefixScanned scanned, bool base64)
    {
        await using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteNumber("revision"u8, scanned.Revision);
        json.WriteBoolean("truncated"u8, scanned.Truncated);
        if (base64)
        {
            json.WriteString("encoding"u8, "base64"u8);
        }

        json.WriteStartArray("pairs"u8);
        foreach (var (key, value) in scanned.Pairs)
        {
            json.WriteStartObject();
            Write(json, "key"u8, key, base64);
            Write(json, "value"u8, value, base64);
            json.WriteEndObject();
            if (json.BytesPending >= FlushBytes)
            {
                await json.FlushAsync();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync();
    }

    private static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> name, byte[] bytes, bool base64)
    {
        if (base64)
        {
            json.WriteBase64String(name, bytes);
        }
        else
        {
            json.WriteString(name, bytes);
        }
    }

    private static bool TryParse(IQueryCollection query, out byte[] prefix, out int limit, out bool base64, out string invalid)
    {
        prefix = [];
        limit = DefaultLimit;
        invalid = string.Empty;
        var encoding = query["encoding"].ToString();
        base64 = encoding == "base64";
        if (encoding is not ("" or "utf8" or "base64"))
        {
            invalid = "encoding must be utf8 or base64";
            return false;
        }

        var text = query["prefix"].ToString();
        if (base64)
        {
            try
            {
                prefix = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                invalid = "prefix is not Base64";
                return false;
            }
        }
        else
        {
            prefix = Encoding.UTF8.GetBytes(text);
        }

        var limitText = query["limit"].ToString();
        if (limitText.Length > 0
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            invalid = $"limit must be a number from 1 to {MaxLimit}";
            return false;
        }

        return true;
    }

    private static IResult BadRequest(string reason) => Results.Json(new { error = reason }, statusCode: StatusCodes.Status400BadRequest);
}
