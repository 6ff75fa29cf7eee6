using Akka.Configuration;
using MwgActors.Actors.Settings;
using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>What a connection does when its client does not read fast enough and the outbound queue overflows.</summary>
public enum OverflowPolicy
{
    /// <summary>Drop the queue and send each subscription a "reload everything" signal (G1 clients, who cannot
    /// receive it, are closed instead).</summary>
    Reload,

    /// <summary>Close the connection with 1008 and a reason.</summary>
    Close,
}

/// <summary>Settings of connection actors, from <c>mwg.connection</c> and the codec limits from <c>mwg.protocol</c>.</summary>
public sealed record ConnectionSettings(
    ProtocolLimits Limits,
    int MaxRequestsInFlight,
    long OutboundMaxBytes,
    int OutboundMaxFrames,
    OverflowPolicy OverflowPolicy,
    TimeSpan RequestTimeout,
    TimeSpan IdleTimeout,
    TimeSpan KeepAliveInterval,
    bool G1PushPuts,
    string ServerId,
    double MaxRequestsPerSecond = 0,
    int MaxRequestsBurst = 0)
{
    /// <summary>A fresh bucket for one connection, or null when requests are not rate limited.</summary>
    public TokenBucket? NewRateLimit() =>
        MaxRequestsPerSecond > 0
            ? new TokenBucket(MaxRequestsPerSecond, MaxRequestsBurst > 0 ? MaxRequestsBurst : Math.Max(1, (int)Math.Ceiling(MaxRequestsPerSecond)))
            : null;

    /// <summary>The hello's server id when <c>server-id</c> is empty: says nothing about the host.</summary>
    public const string DefaultServerId = "mwg";

    /// <summary>
    /// With authentication on, how long a connection without a valid token (none in the handshake, or its token
    /// expired) has to authenticate in-band before it is closed with 1008; heartbeats and pings do not extend it.
    /// </summary>
    public TimeSpan AuthenticateTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public const string Path = "mwg.connection";
    public const string ProtocolPath = "mwg.protocol";

    public static ConnectionSettings Create(Config root)
    {
        var c = ConfigReading.Section(root, Path);
        var p = ConfigReading.Section(root, ProtocolPath);
        var limits = new ProtocolLimits(
            ConfigReading.IntBytes(p, ProtocolPath, "max-frame-size"),
            ConfigReading.PositiveInt(p, ProtocolPath, "max-keys-per-batch"),
            ConfigReading.IntBytes(p, ProtocolPath, "max-key-size"),
            ConfigReading.IntBytes(p, ProtocolPath, "max-value-size"),
            ConfigReading.PositiveInt(p, ProtocolPath, "max-subscriptions-per-connection"),
            ConfigReading.PositiveInt(p, ProtocolPath, "max-prefixes-per-subscription"),
            ConfigReading.IntBytes(p, ProtocolPath, "max-prefix-bytes-per-connection"));
        var serverId = ConfigReading.String(c, Path, "server-id", allowEmpty: true);
        return new ConnectionSettings(
            limits,
            ConfigReading.PositiveInt(c, Path, "max-requests-in-flight"),
            ConfigReading.Bytes(c, Path, "outbound-max-bytes"),
            ConfigReading.PositiveInt(c, Path, "outbound-max-frames"),
            ConfigReading.Enum<OverflowPolicy>(c, Path, "outbound-overflow"),
            ConfigReading.Duration(c, Path, "request-timeout"),
            ConfigReading.Duration(c, Path, "idle-timeout", allowZero: true),
            ConfigReading.Duration(c, Path, "keep-alive-interval", allowZero: true),
            ConfigReading.Bool(c, Path, "g1-push-puts"),
            string.IsNullOrWhiteSpace(serverId) ? DefaultServerId : serverId,
            ConfigReading.NonNegativeLong(c, Path, "max-requests-per-second"),
            (int)Math.Min(int.MaxValue, ConfigReading.NonNegativeLong(c, Path, "max-requests-burst")))
        {
            AuthenticateTimeout = ConfigReading.Duration(c, Path, "authenticate-timeout"),
        };
    }
}
