using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MwgActors.Actors.Auth;

/// <summary>
/// JSON Web Tokens signed with HMAC-SHA256 (HS256), written and checked by hand: the header must say HS256 (a
/// token with <c>alg: none</c> or any other algorithm is refused), the signature is compared in constant time,
/// <c>sub</c> and <c>exp</c> are required, <c>nbf</c> is honoured, both with the clock skew given (<c>mwg.auth.clock-skew</c>);
/// a token is expired by <see cref="Principal.IsExpired"/>, the rule every other path applies too.
/// Rights are in the <c>mwg</c> claim: <c>{"read": ["users/"], "write": [], "subscribe": [], "lock": [""], "reload": []}</c>,
/// each a list of UTF-8 key prefixes ("" = every key); a right that is absent is not granted.
/// </summary>
public static class JwtTokens
{
    public const string RightsClaim = "mwg";

    // The header is fixed: base64url of {"alg":"HS256","typ":"JWT"}.
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);

    /// <summary>A signed token for <paramref name="subject"/> with <paramref name="grants"/> (right → UTF-8 prefixes).</summary>
    public static string Mint(
        ReadOnlySpan<byte> secret,
        string subject,
        IReadOnlyDictionary<Right, IReadOnlyList<string>> grants,
        DateTimeOffset issuedAt,
        DateTimeOffset expiresAt,
        string? issuer = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(grants);
        if (secret.Length < AuthSettings.MinimumSecretBytes)
        {
            throw new ArgumentException($"the secret must be at least {AuthSettings.MinimumSecretBytes} bytes", nameof(secret));
        }

        if (expiresAt <= issuedAt)
        {
            throw new ArgumentException("the token must expire after it is issued", nameof(expiresAt));
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("sub", subject);
            if (!string.IsNullOrEmpty(issuer))
            {
                json.WriteString("iss", issuer);
            }

            json.WriteNumber("iat", issuedAt.ToUnixTimeSeconds());
            json.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            json.WriteStartObject(RightsClaim);
            foreach (var (right, prefixes) in grants.OrderBy(g => g.Key))
            {
                json.WriteStartArray(RightNames.Of(right));
                foreach (var prefix in prefixes)
                {
                    json.WriteStringValue(prefix);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        var signingInput = Header + "." + Base64Url.EncodeToString(buffer.ToArray());
        return signingInput + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>
    /// True with the token's principal when <paramref name="token"/> is a well-formed HS256 JWT signed with
    /// <paramref name="secret"/>, valid at <paramref name="now"/> and, when <paramref name="issuer"/> is not empty, issued by it.
    /// Never throws for a bad token.
    /// </summary>
    public static bool TryValidate(string token, ReadOnlySpan<byte> secret, string? issuer, DateTimeOffset now, out Principal principal) =>
        TryValidate(token, secret, issuer, now, TimeSpan.Zero, out principal);

    /// <inheritdoc cref="TryValidate(string, ReadOnlySpan{byte}, string?, DateTimeOffset, out Principal)"/>
    /// <param name="clockSkew">Tolerance for <c>exp</c> and <c>nbf</c>, carried by the principal (<see cref="Principal.IsExpired"/>).</param>
    public static bool TryValidate(string token, ReadOnlySpan<byte> secret, string? issuer, DateTimeOffset now, TimeSpan clockSkew, out Principal principal)
    {
        principal = null!;
        if (string.IsNullOrEmpty(token) || secret.Length == 0 || token.Length > 16 * 1024)
        {
            return false;
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot || token.IndexOf('.', firstDot + 1) != lastDot)
        {
            return false;
        }

        if (!TryDecode(token.AsSpan(0, firstDot), out var header)
            || !TryDecode(token.AsSpan(firstDot + 1, lastDot - firstDot - 1), out var payload)
            || !TryDecode(token.AsSpan(lastDot + 1), out var signature))
        {
            return false;
        }

        // The algorithm is checked before the signature: only HS256 is ever accepted, whatever the header says.
        if (!IsHs256(header))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(token[..lastDot]));
        if (!CryptographicOperations.FixedTimeEquals(expected, signature))
        {
            return false;
        }

        return TryReadClaims(payload, issuer, now, clockSkew, out principal);
    }

    private static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (part.IsEmpty)
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(part);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsHs256(byte[] header)
    {
        try
        {
            using var doc = JsonDocument.Parse(header);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("alg", out var alg)
                && alg.ValueKind == JsonValueKind.String
                && alg.GetString() == "HS256"
                && !doc.RootElement.TryGetProperty("crit", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadClaims(byte[] payload, string? issuer, DateTimeOffset now, TimeSpan clockSkew, out Principal principal)
    {
        principal = null!;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var claims = doc.RootElement;
            if (claims.ValueKind != JsonValueKind.Object
                || !claims.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(sub.GetString())
                || !claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var expSeconds))
            {
                return false;
            }

            if (!string.IsNullOrEmpty(issuer)
                && (!claims.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String || iss.GetString() != issuer))
            {
                return false;
            }

            var expiresAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(expSeconds, 0, 253402300799));
            if (claims.TryGetProperty("nbf", out var nbf))
            {
                if (nbf.ValueKind != JsonValueKind.Number || !nbf.TryGetInt64(out var nbfSeconds) || now + clockSkew < DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(nbfSeconds, 0, 253402300799)))
                {
                    return false;
                }
            }

            var grants = new Dictionary<Right, IReadOnlyList<byte[]>>();
            if (claims.TryGetProperty(RightsClaim, out var rights))
            {
                if (rights.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                foreach (var right in Enum.GetValues<Right>())
                {
                    if (!rights.TryGetProperty(RightNames.Of(right), out var prefixes))
                    {
                        continue;
                    }

                    if (prefixes.ValueKind != JsonValueKind.Array || prefixes.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.String))
                    {
                        return false;
                    }

                    grants[right] = [.. prefixes.EnumerateArray().Select(p => Encoding.UTF8.GetBytes(p.GetString()!))];
                }
            }

            var candidate = new Principal(sub.GetString()!, grants, expiresAt, clockSkew);
            if (candidate.IsExpired(now))
            {
                return false;
            }

            principal = candidate;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
