using MwgActors.Protocol;

namespace MwgActors.Actors.Auth;

/// <summary>
/// Turns a token presented by a client (in the handshake, or in-band by the JSON <c>auth</c> action and the binary
/// AUTH frame) into a <see cref="Principal"/>. Implementations are thread-safe and never throw for a bad token.
/// </summary>
public interface ITokenValidator
{
    /// <summary>False with <paramref name="error"/> (<see cref="ErrorCode.Unauthorized"/>) for a missing, malformed,
    /// badly signed or expired token.</summary>
    bool TryValidate(string token, out Principal principal, out ErrorCode error);
}
