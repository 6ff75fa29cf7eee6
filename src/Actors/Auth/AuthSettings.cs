using System.Text;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Auth;

/// <summary>Authentication settings, from <c>mwg.auth</c> (docs/security.md).</summary>
/// <param name="Enabled">Clients must present a token.</param>
/// <param name="JwtSecret">The HMAC-SHA256 key of JWTs (from jwt-secret or jwt-secret-file); empty = no JWTs.</param>
/// <param name="Issuer">When not empty, a JWT's <c>iss</c> must equal it (and minted tokens carry it).</param>
/// <param name="ApiKeys">Static keys, each with its subject and grants; they do not expire.</param>
public sealed record AuthSettings(bool Enabled, byte[] JwtSecret, string Issuer, IReadOnlyList<ApiKey> ApiKeys)
{
    public const string Path = "mwg.auth";

    /// <summary>Shortest accepted JWT secret: HS256 is only as strong as its key (RFC 7518 asks for 256 bits).</summary>
    public const int MinimumSecretBytes = 32;

    /// <summary>Largest accepted <c>clock-skew</c>: past it, expiry would hardly mean anything.</summary>
    public static readonly TimeSpan MaximumClockSkew = TimeSpan.FromMinutes(5);

    public bool HasJwtSecret => JwtSecret.Length > 0;

    /// <summary>
    /// How long after its <c>exp</c> (and before its <c>nbf</c>) a JWT is still honoured, for clocks that disagree with
    /// the minting host's (<c>clock-skew</c>). Applied by <see cref="Principal.IsExpired"/>, the one expiry rule.
    /// </summary>
    public TimeSpan ClockSkew { get; init; }

    /// <summary>Reads and checks <c>mwg.auth</c>; reads jwt-secret-file when set.</summary>
    /// <exception cref="ConfigurationException">A setting is invalid or the secret file cannot be read.</exception>
    public static AuthSettings Create(Config root)
    {
        var c = ConfigReading.Section(root, Path);
        var enabled = ConfigReading.Bool(c, Path, "enabled");
        var secretText = ConfigReading.String(c, Path, "jwt-secret", allowEmpty: true);
        var secretFile = ConfigReading.String(c, Path, "jwt-secret-file", allowEmpty: true);
        var issuer = ConfigReading.String(c, Path, "issuer", allowEmpty: true);
        if (secretText.Length > 0 && secretFile.Length > 0)
        {
            throw ConfigReading.Invalid(Path, "jwt-secret-file", "give jwt-secret or jwt-secret-file, not both");
        }

        var secret = secretFile.Length > 0 ? ReadSecretFile(secretFile) : Encoding.UTF8.GetBytes(secretText);
        if (secret.Length is > 0 and < MinimumSecretBytes)
        {
            throw ConfigReading.Invalid(Path, secretFile.Length > 0 ? "jwt-secret-file" : "jwt-secret", $"must be at least {MinimumSecretBytes} bytes");
        }

        var keys = ReadApiKeys(c);
        if (enabled && secret.Length == 0 && keys.Count == 0)
        {
            throw ConfigReading.Invalid(Path, "enabled", "needs jwt-secret, jwt-secret-file or at least one of api-keys");
        }

        var skew = ConfigReading.Duration(c, Path, "clock-skew", allowZero: true);
        if (skew > MaximumClockSkew)
        {
            throw ConfigReading.Invalid(Path, "clock-skew", $"must be at most {MaximumClockSkew.TotalMinutes:0}m");
        }

        return new AuthSettings(enabled, secret, issuer, keys) { ClockSkew = skew };
    }

    private static byte[] ReadSecretFile(string file)
    {
        try
        {
            // A trailing newline from `echo ... > file` is not part of the secret.
            return Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw ConfigReading.Invalid(Path, "jwt-secret-file", $"cannot read '{file}'");
        }
    }

    private static List<ApiKey> ReadApiKeys(Config c)
    {
        if (!c.HasPath("api-keys"))
        {
            throw ConfigReading.Invalid(Path, "api-keys", "is missing");
        }

        var items = ListOf(c.GetValue("api-keys"))
            ?? throw ConfigReading.Invalid(Path, "api-keys", "must be a list of objects such as [{ key = \"...\", subject = \"ci\", read = [\"\"] }]");
        var keys = new List<ApiKey>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"{Path}.api-keys[{i}]";
            if (!items[i].IsObject())
            {
                throw new ConfigurationException($"invalid setting {path}: must be an object {{ key, subject, read, write, subscribe, lock, reload }}");
            }

            var item = new Config(new HoconRoot(items[i]));
            var key = ConfigReading.String(item, path, "key");
            if (Encoding.UTF8.GetByteCount(key) < 16)
            {
                throw ConfigReading.Invalid(path, "key", "must be at least 16 characters");
            }

            if (keys.Any(k => k.Key == key))
            {
                throw ConfigReading.Invalid(path, "key", "is given twice");
            }

            var subject = ConfigReading.String(item, path, "subject");
            var grants = new Dictionary<Right, IReadOnlyList<byte[]>>();
            foreach (var right in Enum.GetValues<Right>())
            {
                var name = RightNames.Of(right);
                if (!item.HasPath(name))
                {
                    continue;
                }

                var list = ListOf(item.GetValue(name))
                    ?? throw ConfigReading.Invalid(path, name, "must be a list of key prefixes such as [\"users/\"] ([\"\"] = every key)");
                grants[right] = [.. list.Select(p => Encoding.UTF8.GetBytes(p.GetString() ?? string.Empty))];
            }

            keys.Add(new ApiKey(key, subject, grants));
        }

        return keys;
    }

    // Akka's HOCON does not report an empty list as an array, so a list is "anything but a string or an object".
    private static IList<HoconValue>? ListOf(HoconValue value)
    {
        if (value.IsString() || value.IsObject())
        {
            return null;
        }

        try
        {
            return value.GetArray();
        }
        catch (Exception ex) when (ex is ConfigurationException or InvalidOperationException or InvalidCastException or NotSupportedException)
        {
            return null;
        }
    }
}

/// <summary>A static API key from <c>mwg.auth.api-keys</c>.</summary>
public sealed record ApiKey(string Key, string Subject, IReadOnlyDictionary<Right, IReadOnlyList<byte[]>> Grants)
{
    public Principal ToPrincipal() => new(Subject, Grants, expiresAt: null);
}

/// <summary>The names of rights in settings, JWT claims and the CLI: read, write, subscribe, lock, reload.</summary>
public static class RightNames
{
    public static string Of(Right right) => right switch
    {
        Right.Read => "read",
        Right.Write => "write",
        Right.Subscribe => "subscribe",
        Right.Lock => "lock",
        Right.Reload => "reload",
        _ => throw new ArgumentOutOfRangeException(nameof(right)),
    };
}
