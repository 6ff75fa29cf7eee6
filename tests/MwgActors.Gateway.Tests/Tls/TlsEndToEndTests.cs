using System.Net.WebSockets;
using System.Text;
using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Client;
using MwgActors.Gateway.Server;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// TLS from mwg.server.tls with a certificate made at run time: every dialect over wss://, the HTTP endpoints
/// over https://, clients that pin the certificate; a client that does not trust it cannot connect.
/// </summary>
public sealed class TlsEndToEndTests : IDisposable
{
    private readonly TestCertificate _certificate = TestCertificate.Create();

    public void Dispose() => _certificate.Dispose();

    [Theory]
    [InlineData(Dialect.G1)]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task Every_dialect_should_round_trip_over_wss_with_a_PEM_certificate(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync(PemSettings());
        Assert.Equal("wss", server.Uri.Scheme);

        await RoundTripAsync(server.Uri, dialect);
    }

    [Theory]
    [InlineData(Dialect.G1)]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task Every_dialect_should_round_trip_over_wss_with_a_PFX_certificate(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync($"""
            mwg.server.tls {"{"}
              enabled = on
              pfx = {MwgConfig.Quote(_certificate.Pfx)}
              pfx-password = {MwgConfig.Quote(TestCertificate.PfxPassword)}
            {"}"}
            """);

        await RoundTripAsync(server.Uri, dialect);
    }

    [Fact]
    public async Task MwgClient_trusting_the_certificate_should_work_against_the_TLS_server()
    {
        await using var server = await TestServer.StartAsync(PemSettings());
        await using var client = await MwgClient.ConnectAsync(new MwgClientOptions { Url = server.Uri, TrustedCaCertificate = _certificate.Certificate });

        var revision = await client.PutAsync([new KeyValue(Utf8("tls/client"), Utf8("secret"))]);

        Assert.True(revision > 0);
        Assert.Equal("secret", Encoding.UTF8.GetString((await client.GetAsync(Utf8("tls/client")))!));
    }

    [Fact]
    public async Task Http_endpoints_should_answer_over_https()
    {
        await using var server = await TestServer.StartAsync(PemSettings());
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, chain, errors) => _certificate.Validate(null, cert, chain, errors) };
        using var http = new HttpClient(handler) { BaseAddress = server.Server.HttpUri };

        Assert.Equal("https", server.Server.HttpUri.Scheme);
        Assert.Equal("ok\n", await http.GetStringAsync(new Uri("healthz", UriKind.Relative)));
    }

    [Fact]
    public async Task Client_that_does_not_trust_the_certificate_should_not_connect()
    {
        await using var server = await TestServer.StartAsync(PemSettings());

        // Default validation: the self-signed certificate has no trusted chain.
        await Assert.ThrowsAsync<WebSocketException>(() => RawClient.ConnectAsync(server.Uri, Subprotocols.Extended));
        Assert.Equal(0, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Plain_ws_client_should_not_reach_a_TLS_server()
    {
        await using var server = await TestServer.StartAsync(PemSettings());
        var plain = new UriBuilder(server.Uri) { Scheme = "ws" }.Uri;

        await Assert.ThrowsAsync<WebSocketException>(() => RawClient.ConnectAsync(plain, Subprotocols.Extended));
    }

    [Fact]
    public async Task Tcp_connection_that_never_starts_its_TLS_handshake_should_be_dropped_after_the_handshake_timeout()
    {
        await using var server = await TestServer.StartAsync(PemSettings() + "\nmwg.server.handshake-timeout = 1s");
        using var silent = new System.Net.Sockets.TcpClient();
        await silent.ConnectAsync(System.Net.IPAddress.Loopback, server.Server.Port);
        var started = System.Diagnostics.Stopwatch.StartNew();

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            Assert.Equal(0, await silent.GetStream().ReadAsync(new byte[16], bound.Token));
        }
        catch (IOException)
        {
            // A reset is a drop too.
        }

        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
    }

    [Theory]
    [InlineData("enabled = on", "mwg.server.tls.enabled")]
    [InlineData("enabled = on\ncertificate-pem = \"{dir}/missing.pem\"\nkey-pem = \"{key}\"", "mwg.server.tls.certificate-pem")]
    [InlineData("enabled = on\ncertificate-pem = \"{cert}\"", "mwg.server.tls.key-pem")]
    [InlineData("enabled = on\ncertificate-pem = \"{cert}\"\nkey-pem = \"{dir}/missing.pem\"", "mwg.server.tls.key-pem")]
    [InlineData("enabled = on\ncertificate-pem = \"{cert}\"\nkey-pem = \"{other-key}\"", "mwg.server.tls.key-pem")]
    [InlineData("enabled = on\ncertificate-pem = \"{garbage}\"\nkey-pem = \"{key}\"", "mwg.server.tls.certificate-pem")]
    [InlineData("enabled = on\ncertificate-pem = \"{cert}\"\nkey-pem = \"{garbage}\"", "mwg.server.tls.key-pem")]
    [InlineData("enabled = on\npfx = \"{pfx}\"\npfx-password = wrong", "mwg.server.tls.pfx")]
    [InlineData("enabled = on\npfx = \"{garbage}\"", "mwg.server.tls.pfx")]
    [InlineData("enabled = on\npfx = \"{dir}/missing.pfx\"", "mwg.server.tls.pfx")]
    [InlineData("enabled = on\npfx = \"{pfx}\"\ncertificate-pem = \"{cert}\"\nkey-pem = \"{key}\"", "mwg.server.tls.pfx")]
    [InlineData("enabled = maybe", "mwg.server.tls.enabled")]
    public void Bad_TLS_settings_should_fail_with_one_line_naming_the_setting(string tls, string path)
    {
        var garbage = Path.Combine(_certificate.Folder, "garbage");
        File.WriteAllText(garbage, "not a certificate");
        using var other = TestCertificate.Create();
        var settings = tls
            .Replace("{dir}", _certificate.Folder, StringComparison.Ordinal)
            .Replace("{cert}", _certificate.CertificatePem, StringComparison.Ordinal)
            .Replace("{key}", _certificate.KeyPem, StringComparison.Ordinal)
            .Replace("{other-key}", other.KeyPem, StringComparison.Ordinal)
            .Replace("{pfx}", _certificate.Pfx, StringComparison.Ordinal)
            .Replace("{garbage}", garbage, StringComparison.Ordinal);
        var config = ConfigurationFactory.ParseString("mwg.server.tls {\n" + settings + "\n}").WithFallback(MwgConfig.Build(null));

        var error = Assert.Throws<ConfigurationException>(() => ServerSettings.Create(config));

        Assert.StartsWith("invalid setting " + path + ":", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private string PemSettings() => $"""
        mwg.server.tls {"{"}
          enabled = on
          certificate-pem = {MwgConfig.Quote(_certificate.CertificatePem)}
          key-pem = {MwgConfig.Quote(_certificate.KeyPem)}
        {"}"}
        """;

    private async Task RoundTripAsync(Uri uri, Dialect dialect)
    {
        await using var client = await ProtocolClient.ConnectAsync(uri, dialect, _certificate.Trust);
        var key = Utf8("tls/" + dialect);

        Assert.True(Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(key, Utf8("secret"))]))).Ok);
        var read = Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), [key])));

        Assert.Equal("secret", Encoding.UTF8.GetString(Assert.Single(read.Values)!));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
