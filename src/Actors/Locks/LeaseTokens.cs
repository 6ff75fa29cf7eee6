using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MwgActors.Actors.Locks;

/// <summary>Lease tokens: 128 random bits as URL-safe Base64 (22 characters), compared in constant time.</summary>
internal static class LeaseTokens
{
    private const int TokenBytes = 16;

    public static string Create()
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    // Constant time so a client cannot learn a token byte by byte from reply timings.
    public static bool Matches(string expected, string? given) =>
        given is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));
}
