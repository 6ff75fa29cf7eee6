using Akka.Configuration;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Settings;

/// <summary><c>mwg.connection</c> and the codec limits of <c>mwg.protocol</c>, read together into <see cref="ConnectionSettings"/>.</summary>
public sealed class ConnectionSettingsTests
{
    [Fact]
    public void Reference_config_should_give_every_default()
    {
        var settings = ConnectionSettings.Create(MwgReferenceConfig.Load());

        Assert.Equal(
            new ConnectionSettings(
                new ProtocolLimits(
                    MaxFrameBytes: 4 * 1024 * 1024,
                    MaxKeysPerBatch: 4096,
                    MaxKeyBytes: 1024,
                    MaxValueBytes: 1024 * 1024,
                    MaxSubscriptionsPerConnection: 64,
                    MaxPrefixesPerSubscription: 256,
                    MaxPrefixBytesPerConnection: 64 * 1024),
                MaxRequestsInFlight: 64,
                OutboundMaxBytes: 8L * 1024 * 1024,
                OutboundMaxFrames: 4096,
                OverflowPolicy.Reload,
                RequestTimeout: TimeSpan.FromSeconds(30),
                IdleTimeout: TimeSpan.FromMinutes(5),
                KeepAliveInterval: TimeSpan.FromSeconds(30),
                G1PushPuts: true,
                ServerId: "mwg",
                MaxRequestsPerSecond: 0,
                MaxRequestsBurst: 0)
            {
                AuthenticateTimeout = TimeSpan.FromSeconds(10),
            },
            settings);
        Assert.Null(settings.NewRateLimit());
        Assert.Equal(ProtocolLimits.Default, settings.Limits);
    }

    [Fact]
    public void Overrides_should_win_and_zero_turn_the_idle_timeout_and_keep_alive_off()
    {
        var settings = ConnectionSettings.Create(Parse("""
            mwg.connection {
              outbound-overflow = close
              idle-timeout = 0s
              keep-alive-interval = 0s
              g1-push-puts = off
              server-id = node-1
              authenticate-timeout = 2s
            }
            mwg.protocol.max-keys-per-batch = 10
            mwg.protocol.max-prefixes-per-subscription = 3
            mwg.protocol.max-prefix-bytes-per-connection = 2k
            """));

        Assert.Equal(
            (OverflowPolicy.Close, TimeSpan.Zero, TimeSpan.Zero, false, "node-1", 10, TimeSpan.FromSeconds(2)),
            (settings.OverflowPolicy, settings.IdleTimeout, settings.KeepAliveInterval, settings.G1PushPuts, settings.ServerId, settings.Limits.MaxKeysPerBatch, settings.AuthenticateTimeout));
        Assert.Equal((3, 2048), (settings.Limits.MaxPrefixesPerSubscription, settings.Limits.MaxPrefixBytesPerConnection));
    }

    [Fact]
    public void An_empty_server_id_should_give_the_default_that_names_no_host()
    {
        var settings = ConnectionSettings.Create(Parse("mwg.connection.server-id = \"\""));

        Assert.Equal(ConnectionSettings.DefaultServerId, settings.ServerId);
        Assert.NotEqual(Environment.MachineName, settings.ServerId);
    }

    [Theory]
    [InlineData("mwg.connection.max-requests-in-flight = 0", "mwg.connection.max-requests-in-flight")]
    [InlineData("mwg.connection.outbound-max-bytes = 0", "mwg.connection.outbound-max-bytes")]
    [InlineData("mwg.connection.outbound-max-frames = -1", "mwg.connection.outbound-max-frames")]
    [InlineData("mwg.connection.outbound-overflow = drop", "mwg.connection.outbound-overflow")]
    [InlineData("mwg.connection.request-timeout = 0s", "mwg.connection.request-timeout")]
    [InlineData("mwg.connection.idle-timeout = -1s", "mwg.connection.idle-timeout")]
    [InlineData("mwg.connection.keep-alive-interval = often", "mwg.connection.keep-alive-interval")]
    [InlineData("mwg.connection.g1-push-puts = maybe", "mwg.connection.g1-push-puts")]
    [InlineData("mwg.connection.max-requests-per-second = -1", "mwg.connection.max-requests-per-second")]
    [InlineData("mwg.connection.max-requests-burst = lots", "mwg.connection.max-requests-burst")]
    [InlineData("mwg.connection.authenticate-timeout = 0s", "mwg.connection.authenticate-timeout")]
    [InlineData("mwg.protocol.max-frame-size = 0", "mwg.protocol.max-frame-size")]
    [InlineData("mwg.protocol.max-frame-size = 4g", "mwg.protocol.max-frame-size")]
    [InlineData("mwg.protocol.max-keys-per-batch = 0", "mwg.protocol.max-keys-per-batch")]
    [InlineData("mwg.protocol.max-key-size = huge", "mwg.protocol.max-key-size")]
    [InlineData("mwg.protocol.max-value-size = 3g", "mwg.protocol.max-value-size")]
    [InlineData("mwg.protocol.max-subscriptions-per-connection = 0", "mwg.protocol.max-subscriptions-per-connection")]
    public void Invalid_values_should_be_refused_naming_their_path(string hocon, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => ConnectionSettings.Create(Parse(hocon)));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max-requests-per-second = 100\nmax-requests-burst = 500", 100, 500)]
    [InlineData("max-requests-per-second = 100", 100, 100)]
    public void A_request_rate_should_give_each_connection_a_bucket_with_the_burst_as_capacity(string hocon, double rate, int capacity)
    {
        var bucket = ConnectionSettings.Create(Parse("mwg.connection {\n" + hocon + "\n}")).NewRateLimit();

        Assert.NotNull(bucket);
        Assert.Equal((rate, capacity), (bucket.RatePerSecond, bucket.Capacity));
    }

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(MwgReferenceConfig.Load());
}
