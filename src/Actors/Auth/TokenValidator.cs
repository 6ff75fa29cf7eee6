using System.Security.Cryptography;
using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Actors.Auth;

/// <summary>
/// Validates the tokens of <see cref="AuthSettings"/>: HS256 JWTs (when a secret is set) and static API keys.
/// API keys are compared in constant time, against all keys, so timing tells nothing about which one nearly matched.
/// A JWT is refused once <see cref="Principal.IsExpired"/> with <c>mwg.auth.clock-skew</c>: the same rule the connection
/// applies before every request, so the handshake, HTTP and in-band auth agree.
/// </summary>
public sealed class TokenValidator : ITokenValidator
{
    private readonly AuthSettings _settings;
    private readonly TimeProvider _time;

    // SHA-256 of each key: compared with the presented token's hash, so every comparison has the same length.
    private readonly (byte[] Hash, ApiKey Key)[] _apiKeys;

    public TokenValidator(AuthSettings settings, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _time = time ?? TimeProvider.System;
        _apiKeys = [.. settings.ApiKeys.Select(k => (SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)), k))];
    }

    public bool TryValidate(string token, out Principal principal, out ErrorCode error)
    {
        error = ErrorCode.Unauthorized;
        principal = null!;
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        if (MatchApiKey(token) is { } key)
        {
            principal = key.ToPrincipal();
            error = default;
            return true;
        }

        if (_settings.HasJwtSecret && JwtTokens.TryValidate(token, _settings.JwtSecret, _settings.Issuer, _time.GetUtcNow(), _settings.ClockSkew, out principal))
        {
            error = default;
            return true;
        }

        principal = null!;
        return false;
    }

    private ApiKey? MatchApiKey(string token)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        ApiKey? match = null;
        foreach (var (keyHash, key) in _apiKeys)
        {
            // No early exit: every key is compared.
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash))
            {
                match = key;
            }
        }

        return match;
    }
}
