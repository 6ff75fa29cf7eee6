using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A self-signed certificate for 127.0.0.1 and localhost made at run time, written to a temporary folder as a PEM
/// pair and as a password-protected PFX (removed on dispose). Clients trust exactly this certificate.
/// </summary>
public sealed class TestCertificate : IDisposable
{
    public const string PfxPassword = "test-password";

    private TestCertificate(string folder, X509Certificate2 certificate)
    {
        Folder = folder;
        Certificate = certificate;
    }

    public string Folder { get; }

    /// <summary>The public certificate (no key): what a client pins.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Path.Combine(Folder, "server.crt.pem");

    public string KeyPem => Path.Combine(Folder, "server.key.pem");

    public string Pfx => Path.Combine(Folder, "server.pfx");

    public static TestCertificate Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mwg-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mwg test server", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        var certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
        var created = new TestCertificate(folder, certificate);
        File.WriteAllText(created.CertificatePem, withKey.ExportCertificatePem());
        File.WriteAllText(created.KeyPem, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(created.Pfx, withKey.Export(X509ContentType.Pfx, PfxPassword));
        return created;
    }

    /// <summary>Accepts the server's certificate only when it is this one (not "accept anything").</summary>
    public bool Validate(object? sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
    {
        // The chain is untrusted (self-signed), so only a name mismatch or a missing certificate must still fail.
        if (presented is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        return presented.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(Certificate.GetCertHash(HashAlgorithmName.SHA256));
    }

    /// <summary>Sets a websocket client to trust this certificate.</summary>
    public void Trust(System.Net.WebSockets.ClientWebSocketOptions options) =>
        options.RemoteCertificateValidationCallback = Validate;

    public void Dispose()
    {
        Certificate.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
