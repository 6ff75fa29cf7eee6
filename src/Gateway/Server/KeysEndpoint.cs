using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using MwgActors.Actors.Api;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Hosting;

namespace MwgActors.Gateway.Server;

/// <summary>
/// <c>GET /keys?prefix=P&amp;limit=N&amp;encoding=utf8|base64</c>: the pairs under a prefix in key order (at most
/// <see cref="MaxLimit"/> pairs and about <c>mwg.server.listing-max-bytes</c>), with the
/// revision they are at least as new as, so a client can list a prefix and then subscribe after that revision
/// without missing a change. The protocol has no scan; this is the browsing the live page needs.
/// With authentication on it needs a token with the read right on every key under the prefix.
/// </summary>
/// <remarks>
/// What a listing costs is bounded: a place in the <see cref="ListingGate"/> is taken before the scan (503 past
/// <c>max-concurrent-listings</c>), the scan stops at <c>listing-max-bytes</c>, and the reply is encoded in small
/// segments, each flushed and awaited, so a client that does not read stalls the writer at Kestrel's response
/// buffer instead of making the server encode (and hold) the whole reply; a pair is dropped once written.
/// </remarks>
internal sealed class KeysEndpoint
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    // Raw bytes of a key or value encoded per segment (a multiple of 3, so Base64 segments need no carry); escaped
    // JSON is at most 6 times this. The writer flushes to the socket, awaiting it, once this much is pending.
    private const int SegmentBytes = 15 * 1024;

    private readonly MwgActorsExtension _mwg;
    private readonly ITokenValidator? _validator;
    private readonly HttpSettings _settings;
    private readonly ILogger _log;

    public KeysEndpoint(MwgActorsExtension mwg, ITokenValidator? validator, HttpSettings settings, ILogger log)
    {
        _mwg = mwg;
        _validator = validator;
        _settings = settings;
        _log = log;
        Listings = new ListingGate(settings.MaxConcurrentListings);
    }

    /// <summary>The listings in flight and the bytes they hold.</summary>
    public ListingGate Listings { get; }

    public async Task ListAsync(HttpContext context)
    {
        var request = context.Request;
        if (!TryParse(request.Query, out var prefix, out var limit, out var base64, out var invalid))
        {
            await BadRequest(invalid).ExecuteAsync(context);
            return;
        }

        if (HttpPrincipal.Resolve(request, _validator, out var unauthenticated) is not { } principal)
        {
            await unauthenticated!.ExecuteAsync(context);
            return;
        }

        if (!principal.AllowsAllUnder(Right.Read, prefix))
        {
            await Results.Json(new { error = "the token lacks the read right on this prefix" }, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
            return;
        }

        // The place is taken before the scan is paid for, and held until the last byte is written (or the client left).
        using var lease = Listings.TryEnter();
        if (lease is null)
        {
            GatewayLog.TooManyListings(_log, context.Connection.RemoteIpAddress?.ToString(), _settings.MaxConcurrentListings);
            context.Response.Headers.RetryAfter = "1";
            await Results.Json(new { error = "too many key listings in flight, retry" }, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        Listing listing;
        try
        {
            listing = await ScanAsync(prefix, limit, lease, context.RequestAborted);
        }
        catch (MwgApiException)
        {
            await Results.Json(new { error = "storage unavailable, retry" }, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        if (!base64 && listing.Pairs.Any(p => !Utf8.IsValid(p.Key) || !Utf8.IsValid(p.Value)))
        {
            await Results.Json(new { error = "a key or value is not UTF-8; ask with encoding=base64" }, statusCode: StatusCodes.Status422UnprocessableEntity).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "application/json";
        try
        {
            await WriteAsync(context.Response.BodyWriter, listing, base64, lease, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client left (or Kestrel dropped it below mwg.server.min-response-data-rate): nothing to answer.
        }
    }

    // Its own method, so the scan's reply is not kept alive by the caller's state machine: only the array is,
    // whose entries are dropped as they are written.
    private async Task<Listing> ScanAsync(byte[] prefix, int limit, ListingGate.Lease lease, CancellationToken cancellationToken)
    {
        var scanned = await _mwg.Store.ScanAsync(prefix, limit, _settings.ListingMaxBytes, cancellationToken);
        var pairs = scanned.Pairs.ToArray();
        lease.Hold(pairs.Sum(p => (long)p.Key.Length + p.Value.Length));
        return new Listing(pairs, scanned.Truncated, scanned.Revision);
    }

    private static async Task WriteAsync(PipeWriter body, Listing listing, bool base64, ListingGate.Lease lease, CancellationToken cancellationToken)
    {
        using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        json.WriteNumber("revision"u8, listing.Revision);
        json.WriteBoolean("truncated"u8, listing.Truncated);
        if (base64)
        {
            json.WriteString("encoding"u8, "base64"u8);
        }

        json.WriteStartArray("pairs"u8);
        var pairs = listing.Pairs;
        for (var i = 0; i < pairs.Length; i++)
        {
            var (key, value) = pairs[i];
            json.WriteStartObject();
            json.WritePropertyName("key"u8);
            await WriteBytesAsync(json, body, key, base64, cancellationToken);
            json.WritePropertyName("value"u8);
            await WriteBytesAsync(json, body, value, base64, cancellationToken);
            json.WriteEndObject();
            pairs[i] = default;
            lease.Release((long)key.Length + value.Length);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await body.FlushAsync(cancellationToken);
    }

    /// <summary>A string value in segments, flushing (and awaiting the socket) whenever a segment's worth is pending.</summary>
    private static async ValueTask WriteBytesAsync(Utf8JsonWriter json, PipeWriter body, byte[] bytes, bool base64, CancellationToken cancellationToken)
    {
        var offset = 0;
        do
        {
            var length = Math.Min(SegmentBytes, bytes.Length - offset);
            var last = offset + length == bytes.Length;
            if (base64)
            {
                json.WriteBase64StringSegment(bytes.AsSpan(offset, length), last);
            }
            else
            {
                json.WriteStringValueSegment(bytes.AsSpan(offset, length), last);
            }

            offset += length;
            if (json.BytesPending >= SegmentBytes)
            {
                json.Flush();
                var flushed = await body.FlushAsync(cancellationToken);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    throw new OperationCanceledException("the client is gone", cancellationToken);
                }
            }
        }
        while (offset < bytes.Length);
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

    private sealed record Listing(KeyValuePair<byte[], byte[]>[] Pairs, bool Truncated, long Revision);
}
