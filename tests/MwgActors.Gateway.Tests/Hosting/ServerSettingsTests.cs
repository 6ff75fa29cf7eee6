using System.Net;
using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Server;

namespace MwgActors.Gateway.Tests;

/// <summary><c>mwg.server</c>: every default, and bad values refused naming their path.</summary>
public sealed class ServerSettingsTests
{
    [Fact]
    public void Reference_config_should_give_every_default()
    {
        var settings = ServerSettings.Create(MwgConfig.Build(null));

        Assert.Equal(
            (IPAddress.Loopback, 7513, TimeSpan.FromSeconds(10), false, false, 10000, TimeSpan.FromSeconds(10)),
            (settings.Bind, settings.Port, settings.ShutdownTimeout, settings.TlsEnabled, settings.Insecure, settings.MaxConnections, settings.HandshakeTimeout));
        Assert.Null(settings.Tls);
        Assert.Empty(settings.AllowedOrigins);
        Assert.False(settings.AuthenticationEnabled);
        Assert.Equal(new MetricsSettings(true, "/metrics"), settings.Metrics);
        Assert.Equal(64, settings.MaxUnauthenticatedConnections);
        var http = settings.Http;
        Assert.Empty(http.AllowedHosts);
        Assert.Equal(
            (1000, 1024L, 1024L, TimeSpan.FromSeconds(5), 8, 16L * 1024 * 1024),
            (http.MaxHttpConnections, http.MinResponseDataRate, http.MinRequestBodyDataRate, http.DataRateGracePeriod, http.MaxConcurrentListings, http.ListingMaxBytes));
        Assert.Equal(HttpSettings.Default with { AllowedHosts = http.AllowedHosts }, http);
    }

    [Fact]
    public void Allowed_hosts_should_be_read_in_lower_case()
    {
        var settings = ServerSettings.Create(Parse("mwg.server.allowed-hosts = [\"MWG.example.com\", \"*\"]"));

        Assert.Equal(["mwg.example.com", "*"], settings.Http.AllowedHosts);
    }

    [Fact]
    public void An_ipv4_mapped_bind_should_be_bound_as_ipv4()
    {
        // ::ffff:127.0.0.1 passes the loopback check but cannot be bound: the server would crash at startup.
        var settings = ServerSettings.Create(Parse("mwg.server.bind = \"::ffff:127.0.0.1\""));

        Assert.Equal(IPAddress.Loopback, settings.Bind);
    }

    [Fact]
    public void The_metrics_endpoint_should_be_read_from_its_section() =>
        Assert.Equal(
            new MetricsSettings(false, "/internal/metrics"),
            ServerSettings.Create(Parse("mwg.server.metrics { enabled = off, path = \"/internal/metrics\" }")).Metrics);

    [Fact]
    public void Allowed_origins_should_be_read_without_a_trailing_slash()
    {
        var settings = ServerSettings.Create(Parse("mwg.server.allowed-origins = [\"https://app.example.com/\", \"http://localhost:8080\"]"));

        Assert.Equal(["https://app.example.com", "http://localhost:8080"], settings.AllowedOrigins);
    }

    [Theory]
    [InlineData("mwg.server.max-connections = 0", "mwg.server.max-connections")]
    [InlineData("mwg.server.max-connections = many", "mwg.server.max-connections")]
    [InlineData("mwg.server.max-unauthenticated-connections = -1", "mwg.server.max-unauthenticated-connections")]
    [InlineData("mwg.server.max-unauthenticated-connections = some", "mwg.server.max-unauthenticated-connections")]
    [InlineData("mwg.server.handshake-timeout = 0s", "mwg.server.handshake-timeout")]
    [InlineData("mwg.server.handshake-timeout = soon", "mwg.server.handshake-timeout")]
    [InlineData("mwg.server.insecure = maybe", "mwg.server.insecure")]
    [InlineData("mwg.server.allowed-origins = [\"app.example.com\"]", "mwg.server.allowed-origins")]
    [InlineData("mwg.server.allowed-origins = [\"https://app.example.com/path\"]", "mwg.server.allowed-origins")]
    [InlineData("mwg.server.allowed-origins = [\"ftp://app.example.com\"]", "mwg.server.allowed-origins")]
    [InlineData("mwg.server.allowed-origins = yes", "mwg.server.allowed-origins")]
    [InlineData("mwg.server.allowed-hosts = [\"https://mwg.example.com\"]", "mwg.server.allowed-hosts")]
    [InlineData("mwg.server.allowed-hosts = [\"mwg.example.com:443\"]", "mwg.server.allowed-hosts")]
    [InlineData("mwg.server.allowed-hosts = mwg.example.com", "mwg.server.allowed-hosts")]
    [InlineData("mwg.server.max-http-connections = 0", "mwg.server.max-http-connections")]
    [InlineData("mwg.server.min-response-data-rate = fast", "mwg.server.min-response-data-rate")]
    [InlineData("mwg.server.min-request-body-data-rate = -1", "mwg.server.min-request-body-data-rate")]
    [InlineData("mwg.server.data-rate-grace-period = 1s", "mwg.server.data-rate-grace-period")]
    [InlineData("mwg.server.max-concurrent-listings = 0", "mwg.server.max-concurrent-listings")]
    [InlineData("mwg.server.listing-max-bytes = 0", "mwg.server.listing-max-bytes")]
    [InlineData("mwg.server.metrics.enabled = sometimes", "mwg.server.metrics.enabled")]
    [InlineData("mwg.server.metrics.path = metrics", "mwg.server.metrics.path")]
    [InlineData("mwg.server.metrics.path = \"/\"", "mwg.server.metrics.path")]
    public void Invalid_values_should_be_refused_naming_their_path(string hocon, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => ServerSettings.Create(Parse(hocon)));

        Assert.StartsWith("invalid setting " + path + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public void Loopback_binds_should_need_neither_TLS_nor_insecure(string bind)
    {
        var settings = ServerSettings.Create(Parse($"mwg.server.bind = \"{bind}\""));

        Assert.True(IPAddress.IsLoopback(settings.Bind));
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("192.0.2.10")]
    public void Binds_beyond_loopback_in_plain_text_should_be_refused(string bind)
    {
        // Only the settings are read: nothing listens on these addresses.
        var error = Assert.Throws<ConfigurationException>(() => ServerSettings.Create(Parse($"mwg.server.bind = \"{bind}\"")));

        Assert.StartsWith("refusing to listen on ", error.Message, StringComparison.Ordinal);
    }

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(MwgConfig.Build(null));
}
