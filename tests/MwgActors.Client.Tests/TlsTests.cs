using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MwgActors.Protocol;
using static MwgActors.Client.Tests.Fixtures;

namespace MwgActors.Client.Tests;

/// <summary><c>wss://</c> to a server with a self-signed certificate (TLS terminated by the proxy in front of the server).</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private X509Certificate2 _certificate = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _certificate = SelfSigned("localhost");
        _proxy = new FaultProxy(_server.Port, _certificate);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task Wss_should_work_when_the_self_signed_certificate_is_given_as_trusted()
    {
        using var trusted = X509CertificateLoader.LoadCertificate(_certificate.RawData); // public part only
        await using var client = await MwgClient.ConnectAsync(Options(_proxy.Uri) with { TrustedCaCertificate = trusted });

        var revision = await client.PutAsync([Pair("tls/1", "secret")]);

        Assert.True(revision > 0);
        Assert.Equal("secret", Text(await client.GetAsync(Utf8("tls/1"))));
    }

    [Fact]
    public async Task Wss_should_refuse_a_self_signed_certificate_the_system_store_does_not_trust()
    {
        var error = await Assert.ThrowsAsync<MwgClientException>(() =>
            MwgClient.ConnectAsync(Options(_proxy.Uri) with { ConnectTimeout = TimeSpan.FromMilliseconds(500) }));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
    }

    [Fact]
    public async Task Wss_should_refuse_a_trusted_certificate_for_another_host_name()
    {
        using var other = SelfSigned("not-localhost");
        await using var proxy = new FaultProxy(_server.Port, other);
        using var trusted = X509CertificateLoader.LoadCertificate(other.RawData);

        var error = await Assert.ThrowsAsync<MwgClientException>(() =>
            MwgClient.ConnectAsync(Options(proxy.Uri) with { TrustedCaCertificate = trusted, ConnectTimeout = TimeSpan.FromMilliseconds(500) }));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
    }

    private static X509Certificate2 SelfSigned(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }
}
