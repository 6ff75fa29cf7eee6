using System.Globalization;
using System.Text;
using Akka.Configuration;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Hosting;

namespace MwgActors.Tool.Cli;

/// <summary>
/// <c>mwg token --sub NAME [--read P]... [--write P]... [--subscribe P]... [--lock P]... [--reload P]... --ttl 1h
/// [--secret S | --secret-file F | --config FILE]</c>: prints an HS256 JWT for operators to hand out.
/// </summary>
internal static class TokenCommand
{
    private static readonly string[] SecretOptions = ["secret", "secret-file", "config"];

    public static async Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error)
    {
        string token;
        try
        {
            args.AllowOnly("sub", "read", "write", "subscribe", "lock", "reload", "ttl", "secret", "secret-file", "config");
            if (args.Positional.Count > 0)
            {
                throw new ArgumentException($"unexpected argument '{args.Positional[0]}'");
            }

            var subject = args.Get("sub") is { Length: > 0 } s ? s : throw new ArgumentException("--sub NAME is required");
            var ttl = ParseTtl(args.Get("ttl") ?? throw new ArgumentException("--ttl is required (such as 30s, 15m, 1h, 7d)"));
            var (secret, issuer) = ReadSecret(args);
            var grants = new Dictionary<Right, IReadOnlyList<string>>();
            foreach (var right in Enum.GetValues<Right>())
            {
                if (args.GetAll(RightNames.Of(right)) is { Count: > 0 } prefixes)
                {
                    grants[right] = prefixes;
                }
            }

            var now = DateTimeOffset.UtcNow;
            token = JwtTokens.Mint(secret, subject, grants, now, now + ttl, issuer);
        }
        catch (Exception ex) when (ex is ArgumentException or ConfigurationException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"mwg token: {ex.Message}");
            return CommandLine.Usage;
        }

        await output.WriteLineAsync(token);
        return CommandLine.Ok;
    }

    /// <summary>A duration such as 30s, 15m, 1h or 7d.</summary>
    public static TimeSpan ParseTtl(string text)
    {
        if (text.Length >= 2
            && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n > 0
            && n <= 3650L * 24 * 3600)
        {
            TimeSpan? ttl = text[^1] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => null,
            };
            if (ttl is { } value && value <= TimeSpan.FromDays(3650))
            {
                return value;
            }
        }

        throw new ArgumentException($"--ttl '{text}' is not a duration such as 30s, 15m, 1h or 7d");
    }

    private static (byte[] Secret, string? Issuer) ReadSecret(ParsedArguments args)
    {
        var given = SecretOptions.Where(o => args.Get(o) is not null).ToArray();
        if (given.Length != 1)
        {
            throw new ArgumentException("give exactly one of --secret S, --secret-file F or --config FILE (its mwg.auth.jwt-secret)");
        }

        byte[] secret;
        string? issuer = null;
        if (args.Get("secret") is { } text)
        {
            secret = Encoding.UTF8.GetBytes(text);
        }
        else if (args.Get("secret-file") is { } file)
        {
            secret = Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim());
        }
        else
        {
            var auth = AuthSettings.Create(MwgConfig.Build(ConfigurationFactory.ParseString(File.ReadAllText(args.Get("config")!))));
            secret = auth.HasJwtSecret ? auth.JwtSecret : throw new ArgumentException("the --config file sets no mwg.auth.jwt-secret or jwt-secret-file");
            issuer = auth.Issuer.Length > 0 ? auth.Issuer : null;
        }

        return secret.Length >= AuthSettings.MinimumSecretBytes
            ? (secret, issuer)
            : throw new ArgumentException($"the secret must be at least {AuthSettings.MinimumSecretBytes} bytes");
    }
}
