using Akka.Configuration;

namespace MwgActors.Gateway.Server;

/// <summary>
/// The budgets of the plain HTTP side (everything but upgraded websockets) and the browser defences, from
/// <c>mwg.server</c>: Kestrel's connection and data-rate limits, the key listings in flight, the allowed Host names.
/// </summary>
/// <param name="AllowedHosts">Host names (no port) requests may name besides localhost and address literals;
/// empty = those only while bound to loopback, any host while bound beyond it. "*" = any host.</param>
/// <param name="MaxHttpConnections">TCP connections not upgraded to a websocket at most (Kestrel MaxConcurrentConnections).</param>
/// <param name="MinResponseDataRate">Bytes per second a client must read a response at once past the grace period; 0 = no floor.</param>
/// <param name="MinRequestBodyDataRate">Bytes per second a client must send a request body at; 0 = no floor.</param>
/// <param name="DataRateGracePeriod">How long a transfer may run below the floors before the connection is dropped.</param>
/// <param name="MaxConcurrentListings">GET /keys listings in flight server-wide; one more is answered 503.</param>
/// <param name="ListingMaxBytes">Keys and values one listing holds at most (about: the pair that crosses it is kept).</param>
public sealed record HttpSettings(
    IReadOnlyList<string> AllowedHosts,
    int MaxHttpConnections,
    long MinResponseDataRate,
    long MinRequestBodyDataRate,
    TimeSpan DataRateGracePeriod,
    int MaxConcurrentListings,
    long ListingMaxBytes)
{
    /// <summary>The defaults of reference.conf, for settings built in code.</summary>
    public static HttpSettings Default { get; } = new([], 1000, 1024, 1024, TimeSpan.FromSeconds(5), 8, 16 * 1024 * 1024);

    /// <param name="server">The <c>mwg.server</c> section.</param>
    /// <exception cref="ConfigurationException">A setting is missing or invalid; the message names it.</exception>
    public static HttpSettings Create(Config server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var hosts = Read(server, "allowed-hosts", c => c.GetValue("allowed-hosts") is { } v && !v.IsString()
            ? c.GetStringList("allowed-hosts")
            : throw new ConfigurationException("not a list"));
        foreach (var host in hosts)
        {
            if (host != "*" && (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown))
            {
                throw Invalid("allowed-hosts", $"'{host}' is not a host name such as mwg.example.com (no scheme, no port)");
            }
        }

        var grace = Read(server, "data-rate-grace-period", c => c.GetTimeSpan("data-rate-grace-period", TimeSpan.Zero, allowInfinite: false));
        if (grace <= TimeSpan.FromSeconds(1))
        {
            // Kestrel checks rates once a second: a shorter grace could not be honoured.
            throw Invalid("data-rate-grace-period", "must be a duration above 1s, such as 5s");
        }

        return new HttpSettings(
            [.. hosts.Select(h => h.ToLowerInvariant())],
            Positive(server, "max-http-connections"),
            Rate(server, "min-response-data-rate"),
            Rate(server, "min-request-body-data-rate"),
            grace,
            Positive(server, "max-concurrent-listings"),
            Size(server, "listing-max-bytes"));
    }

    private static int Positive(Config server, string key)
    {
        var value = Read(server, key, c => c.GetInt(key, 0));
        return value > 0 ? value : throw Invalid(key, "must be a positive integer");
    }

    private static long Rate(Config server, string key)
    {
        var value = Read(server, key, c => c.GetByteSize(key) ?? -1);
        return value >= 0 ? value : throw Invalid(key, "must be a size per second such as 1k, or 0 for no floor");
    }

    private static long Size(Config server, string key)
    {
        var value = Read(server, key, c => c.GetByteSize(key) ?? -1);
        return value > 0 ? value : throw Invalid(key, "must be a positive size such as 16m");
    }

    private static ConfigurationException Invalid(string key, string reason) =>
        new($"invalid setting {ServerSettings.Path}.{key}: {reason}");

    // HOCON throws FormatException and friends for a value of the wrong type (or a missing one); name the setting.
    private static T Read<T>(Config server, string key, Func<Config, T> read)
    {
        if (!server.HasPath(key))
        {
            throw Invalid(key, "is missing");
        }

        try
        {
            return read(server);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ConfigurationException or NotSupportedException or ArgumentException)
        {
            throw Invalid(key, "has a value of the wrong type");
        }
    }
}
