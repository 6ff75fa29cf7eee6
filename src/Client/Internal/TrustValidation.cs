using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MwgActors.Client.Internal;

/// <summary>Validates a server certificate against one given CA instead of the system trust store (self-signed servers).</summary>
internal static class TrustValidation
{
    public static RemoteCertificateValidationCallback For(X509Certificate2 trustedCa) =>
        (_, certificate, _, errors) =>
        {
            if (certificate is null)
            {
                return false;
            }

            // A name mismatch is never forgiven; only the chain is checked against the given CA.
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            return chain.Build(leaf);
        };
}
