using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace MwgActors.Gateway.Server;

/// <summary>
/// TLS of the gateway, from <c>mwg.server.tls</c>: a PEM certificate with its PEM key, or a PKCS#12 (PFX) file with
/// its password. The certificate is loaded when the settings are read, so a bad file stops startup with one line.
/// </summary>
public sealed class TlsSettings
{
    public const string Path = ServerSettings.Path + ".tls";

    private TlsSettings(X509Certificate2 certificate, string source)
    {
        Certificate = certificate;
        Source = source;
    }

    /// <summary>The server certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Which files it came from, for the startup line.</summary>
    public string Source { get; }

    /// <summary>Null when <c>mwg.server.tls.enabled</c> is off.</summary>
    /// <exception cref="ConfigurationException">A missing, unreadable or mismatched file; the message names the setting.</exception>
    public static TlsSettings? Create(Config server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (!ServerSettings.ReadBool(server, "tls.enabled"))
        {
            return null;
        }

        var certificatePem = ServerSettings.ReadString(server, "tls.certificate-pem");
        var keyPem = ServerSettings.ReadString(server, "tls.key-pem");
        var pfx = ServerSettings.ReadString(server, "tls.pfx");
        var pfxPassword = ServerSettings.ReadString(server, "tls.pfx-password");

        var pem = certificatePem.Length > 0 || keyPem.Length > 0;
        if (pem && pfx.Length > 0)
        {
            throw Invalid("pfx", "give either certificate-pem with key-pem, or pfx, not both");
        }

        if (!pem && pfx.Length == 0)
        {
            throw Invalid("enabled", "TLS is on but neither certificate-pem with key-pem nor pfx is set");
        }

        return pem ? FromPem(certificatePem, keyPem) : FromPfx(pfx, pfxPassword);
    }

    private static TlsSettings FromPem(string certificatePem, string keyPem)
    {
        RequireFile("certificate-pem", certificatePem);
        if (keyPem.Length == 0)
        {
            throw Invalid("key-pem", "certificate-pem is set but its key is not");
        }

        RequireFile("key-pem", keyPem);
        try
        {
            // Alone first, so a file that is not a certificate is blamed on the right setting.
            using var publicPart = X509CertificateLoader.LoadCertificateFromFile(certificatePem);
        }
        catch (CryptographicException)
        {
            throw Invalid("certificate-pem", $"{certificatePem} is not a PEM certificate");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificatePem, keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // A key that does not match the certificate, or a file that is not PEM: say which setting to look at.
            throw Invalid("key-pem", $"cannot use {keyPem} with {certificatePem} (not a PEM private key, or not the certificate's key)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Invalid("certificate-pem", $"cannot read {certificatePem} or {keyPem}");
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use the ephemeral key a PEM load gives; a PKCS#12 round trip makes it a usable one.
            using var ephemeral = certificate;
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }

        return new TlsSettings(certificate, $"{certificatePem} + {keyPem}");
    }

    private static TlsSettings FromPfx(string pfx, string password)
    {
        RequireFile("pfx", pfx);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, password.Length == 0 ? null : password);
        }
        catch (CryptographicException)
        {
            throw Invalid("pfx", $"cannot load {pfx} (not a PKCS#12 file, or mwg.server.tls.pfx-password is wrong)");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Invalid("pfx", $"cannot read {pfx}");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw Invalid("pfx", $"{pfx} holds no private key");
        }

        return new TlsSettings(certificate, pfx);
    }

    private static void RequireFile(string key, string file)
    {
        if (!File.Exists(file))
        {
            throw Invalid(key, $"no such file {file}");
        }
    }

    private static ConfigurationException Invalid(string key, string why) => new($"invalid setting {Path}.{key}: {why}");
}
