namespace MwgActors.Actors.Auth;

/// <summary>
/// What a connection starts with: the principal from the handshake token (null = none presented yet), the validator
/// for tokens presented in-band, and whether authentication is required at all.
/// </summary>
public sealed record ConnectionAuth(Principal? Principal, ITokenValidator? Validator, bool Required)
{
    /// <summary>Authentication off: every connection acts as <see cref="Principal.Anonymous"/>.</summary>
    public static ConnectionAuth None => new(Principal.Anonymous, null, false);
}
