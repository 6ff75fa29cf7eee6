using System.Net;
using Akka.Configuration;

namespace MwgActors.Gateway.Server;

/// <summary>Settings of the websocket gateway, from <c>mwg.server</c>.</summary>
/// <param name="Tls">Null when TLS is off.</param>
/// <param name="Insecure">Serve without TLS on an address other than loopback (<c>--insecure</c>).</param>
/// <param name="AllowedOrigins">Origins a browser may open a websocket from; empty = any (while authentication is off).</param>
/// <param name="MaxConnections">Open websockets at most; an upgrade past it is answered 503.</param>
/// <param name="HandshakeTimeout">How long a TCP connection may take to complete its TLS handshake and HTTP upgrade.</param>
public sealed record ServerSettings(
    IPAddress Bind,
    int Port,
    TimeSpan ShutdownTimeout,
    TlsSettings? Tls,
    bool Insecure,
    IReadOnlyList<string> AllowedOrigins,
    int MaxConnections,
    TimeSpan HandshakeTimeout)
{
    public const string Path = "mwg.server";

    /// <summary>
    /// Whether clients must authenticate (<c>mwg.auth.enabled</c>): a bind beyond loopback is then allowed without
    /// TLS, and with an empty allowed-origins list browsers may only connect from the same origin.
    /// </summary>
    public bool AuthenticationEnabled { get; init; }

    /// <summary>
    /// Open websockets that have not authenticated yet at most (<c>max-unauthenticated-connections</c>; only with
    /// authentication on): they count against <see cref="MaxConnections"/> too, and at most half of it is theirs.
    /// </summary>
    public int MaxUnauthenticatedConnections { get; init; } = 64;

    /// <summary><c>GET /metrics</c> (<c>mwg.server.metrics</c>).</summary>
    public MetricsSettings Metrics { get; init; } = new(true, "/metrics");

    /// <summary>The HTTP side's budgets and the allowed Host names (<see cref="HttpSettings"/>).</summary>
    public HttpSettings Http { get; init; } = HttpSettings.Default;

    /// <summary>Whether the websocket and HTTP endpoints speak TLS (wss://, https://).</summary>
    public bool TlsEnabled => Tls is not null;

    /// <exception cref="ConfigurationException">A setting is invalid, or the server would serve plain text to the network.</exception>
    public static ServerSettings Create(Config root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var c = root.GetConfig(Path) ?? throw new ConfigurationException($"missing configuration section '{Path}'");
        var bindText = c.GetString("bind", string.Empty);
        if (!IPAddress.TryParse(bindText, out var bind) && !string.Equals(bindText, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException($"invalid setting {Path}.bind: '{bindText}' is not an IP address");
        }

        if (bind is { IsIPv4MappedToIPv6: true })
        {
            // ::ffff:127.0.0.1 is 127.0.0.1 to the loopback check but cannot be bound as such: bind the IPv4 address.
            bind = bind.MapToIPv4();
        }

        var port = Read(c, "port", s => s.GetInt("port", -1));
        if (port is < 0 or > 65535)
        {
            throw new ConfigurationException($"invalid setting {Path}.port: must be between 0 and 65535");
        }

        var shutdown = Read(c, "shutdown-timeout", s => s.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(10), allowInfinite: false));
        if (shutdown < TimeSpan.Zero)
        {
            throw new ConfigurationException($"invalid setting {Path}.shutdown-timeout: must not be negative");
        }

        var maxConnections = Read(c, "max-connections", s => s.GetInt("max-connections", 0));
        if (maxConnections <= 0)
        {
            throw new ConfigurationException($"invalid setting {Path}.max-connections: must be a positive integer");
        }

        var maxUnauthenticated = Read(c, "max-unauthenticated-connections", s => s.GetInt("max-unauthenticated-connections", -1));
        if (maxUnauthenticated < 0)
        {
            throw new ConfigurationException($"invalid setting {Path}.max-unauthenticated-connections: must be zero or a positive integer");
        }

        var handshake = Read(c, "handshake-timeout", s => s.GetTimeSpan("handshake-timeout", TimeSpan.Zero, allowInfinite: false));
        if (handshake <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"invalid setting {Path}.handshake-timeout: must be a positive duration such as 10s");
        }

        // A lone string would read as an empty list: a list is required.
        var origins = Read(c, "allowed-origins", s => s.GetValue("allowed-origins") is { } v && !v.IsString()
            ? s.GetStringList("allowed-origins")
            : throw new ConfigurationException("not a list"));
        foreach (var origin in origins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/")
            {
                throw new ConfigurationException($"invalid setting {Path}.allowed-origins: '{origin}' is not an origin such as https://app.example.com");
            }
        }

        var settings = new ServerSettings(
            bind ?? IPAddress.Loopback,
            port,
            shutdown,
            TlsSettings.Create(c),
            ReadBool(c, "insecure"),
            origins.Select(o => o.TrimEnd('/')).ToArray(),
            maxConnections,
            handshake)
        {
            AuthenticationEnabled = root.HasPath("mwg.auth.enabled") && ReadAuthEnabled(root),
            Metrics = MetricsSettings.Create(c),
            Http = HttpSettings.Create(c),
            MaxUnauthenticatedConnections = maxUnauthenticated,
        };
        settings.RefuseInsecureExposure();
        return settings;
    }

    internal static bool ReadBool(Config section, string key) =>
        section.HasPath(key)
            ? Read(section, key, s => s.GetBoolean(key))
            : throw new ConfigurationException($"invalid setting {Path}.{key}: is missing");

    private static bool ReadAuthEnabled(Config root)
    {
        try
        {
            return root.GetBoolean("mwg.auth.enabled");
        }
        catch (Exception ex) when (ex is FormatException or ConfigurationException or NotSupportedException or ArgumentException)
        {
            throw new ConfigurationException("invalid setting mwg.auth.enabled: has a value of the wrong type");
        }
    }

    internal static string ReadString(Config section, string key) =>
        Read(section, key, s => s.GetString(key, string.Empty) ?? string.Empty);

    // Secure by default: plain text beyond this machine needs the operator to say so.
    private void RefuseInsecureExposure()
    {
        if (!IPAddress.IsLoopback(Bind) && !TlsEnabled && !AuthenticationEnabled && !Insecure)
        {
            throw new ConfigurationException(
                $"refusing to listen on {Bind} without TLS or authentication (anyone on the network could read and write every key); " +
                $"configure {TlsSettings.Path}, or pass --insecure ({Path}.insecure = on) to serve in plain text anyway");
        }
    }

    // HOCON throws FormatException and friends for a value of the wrong type; the operator needs the setting's name.
    private static T Read<T>(Config section, string key, Func<Config, T> read)
    {
        try
        {
            return read(section);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ConfigurationException or NotSupportedException or ArgumentException)
        {
            throw new ConfigurationException($"invalid setting {Path}.{key}: has a value of the wrong type");
        }
    }
}
