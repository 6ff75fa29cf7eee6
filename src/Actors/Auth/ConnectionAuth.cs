namespace MwgActors.Actors.Auth;

/// <summary>
/// What a connection starts with: the principal from the handshake token (null = none presented yet), the validator
/// for tokens presented in-band, and whether authentication is required at all.
/// </summary>
public sealed record ConnectionAuth(Principal? Principal, ITokenValidator? Validator, bool Required)
{
    /// <summary>Authentication off: every connection acts as <see cref="Principal.Anonymous"/>.</summary>
    public static ConnectionAuth None => new(Principal.Anonymous, null, false);

    /// <summary>
    /// Called once, from the connection actor, when a connection admitted without a token first authenticates in-band:
    /// the gateway then counts it as authenticated (<c>mwg.server.max-unauthenticated-connections</c>). Must not block.
    /// </summary>
    public Action? Authenticated { get; init; }

    /// <summary>The clock the expiry rule (<see cref="Auth.Principal.IsExpired"/>) is applied with.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
