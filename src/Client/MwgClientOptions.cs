using System.Security.Cryptography.X509Certificates;

namespace MwgActors.Client;

/// <summary>Settings of a <see cref="MwgClient"/>. Every default is listed in docs/client.md.</summary>
public sealed record MwgClientOptions
{
    /// <summary>The server's websocket address, <c>ws://host:port/</c> or <c>wss://host:port/</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// Other servers of the same store (the other gateway nodes of a cluster, docs/cluster.md), tried in turn when
    /// the current one cannot be reached. The client resumes its subscriptions and reclaims its lease on whichever
    /// answers. Empty: <see cref="Url"/> only.
    /// </summary>
    public IReadOnlyList<Uri> FallbackUrls { get; init; } = [];

    /// <summary>How long one request may take, waiting for a connection included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening one connection may take (the websocket handshake and the server hello).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests in flight at once; more wait for a slot (their timeout runs while they wait).</summary>
    public int MaxRequestsInFlight { get; init; } = 64;

    /// <summary>First delay before reconnecting; doubles after each failed attempt.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of the reconnect delay.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fraction of each delay drawn at random (0 = none, 1 = "full jitter"): the delay is in [d × (1 - j), d].</summary>
    public double ReconnectJitter { get; init; } = 0.5;

    /// <summary>A ping is sent after this long without one, to keep the connection open through the server's idle
    /// timeout and to notice a dead peer (no pong within <see cref="RequestTimeout"/> drops the connection).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Writes made while disconnected, held and sent on reconnect. Off by default.</summary>
    public OfflineQueueOptions OfflineQueue { get; init; } = new();

    /// <summary>Local read cache kept fresh by a subscription. Off by default.</summary>
    public CacheOptions Cache { get; init; } = new();

    /// <summary>For <c>wss://</c> servers with a self-signed certificate: the CA (or the certificate itself) to trust
    /// instead of the system store. Null: the system trust store.</summary>
    public X509Certificate2? TrustedCaCertificate { get; init; }

    /// <summary>A token (JWT or API key) for servers with authentication on, sent in the handshake as
    /// <c>Authorization: Bearer</c> on every connection and reconnection. Null: none.</summary>
    public string? Token { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public MwgClientOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Url, nameof(Url));
        if (Url.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException("Url must be ws:// or wss://", nameof(Url));
        }

        ArgumentNullException.ThrowIfNull(FallbackUrls, nameof(FallbackUrls));
        if (FallbackUrls.Any(u => u is null || u.Scheme is not ("ws" or "wss")))
        {
            throw new ArgumentException("every fallback URL must be ws:// or wss://", nameof(FallbackUrls));
        }

        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(ReconnectMinDelay, nameof(ReconnectMinDelay));
        Positive(KeepAliveInterval, nameof(KeepAliveInterval));
        if (ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentException("ReconnectMaxDelay must be at least ReconnectMinDelay", nameof(ReconnectMaxDelay));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRequestsInFlight, nameof(MaxRequestsInFlight));
        if (ReconnectJitter is < 0 or > 1 || double.IsNaN(ReconnectJitter))
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectJitter), ReconnectJitter, "jitter is between 0 and 1");
        }

        OfflineQueue.Validate();
        Cache.Validate();
        return this;
    }

    internal static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
        }
    }
}

/// <summary>The offline write queue: bounded by count and by age.</summary>
public sealed record OfflineQueueOptions
{
    public bool Enabled { get; init; }

    /// <summary>Writes held at most; one more fails at once with <see cref="Protocol.ErrorCode.Overloaded"/>.</summary>
    public int MaxWrites { get; init; } = 1000;

    /// <summary>A held write older than this fails with <see cref="Protocol.ErrorCode.Timeout"/> instead of being sent.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxWrites, nameof(MaxWrites));
        MwgClientOptions.Positive(MaxAge, nameof(MaxAge));
    }
}

/// <summary>The local read cache.</summary>
public sealed record CacheOptions
{
    public bool Enabled { get; init; }

    /// <summary>Entries kept at most; the least recently used go first.</summary>
    public int MaxEntries { get; init; } = 10_000;

    internal void Validate() => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxEntries, nameof(MaxEntries));
}
