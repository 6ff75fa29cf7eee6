namespace MwgActors.Actors.Auth;

/// <summary>
/// What the gateway knows about a connection's authentication when it hands the socket to its connection actor.
/// </summary>
/// <param name="Principal">Who the handshake authenticated; null = not yet (a JSON connection that will send its
/// token in-band).</param>
/// <param name="Validator">Checks in-band tokens; null when authentication is off.</param>
/// <param name="Required">Authentication is on: requests need a principal with the right for their keys.</param>
public sealed record ConnectionAuth(Principal? Principal, ITokenValidator? Validator, bool Required)
{
    /// <summary>Authentication off: every connection acts as <see cref="Principal.Anonymous"/>.</summary>
    public static ConnectionAuth None => new(Principal.Anonymous, null, false);
}
