using MwgActors.Actors.Auth;

namespace MwgActors.Actors.Connections;

/// <summary>
/// Who the connection acts for, and the one expiry rule (<see cref="Principal.IsExpired"/>) read on the connection's
/// clock: the principal is null before a first valid token (when one is required) and after it expired. Also when
/// the expiry timer is due (Akka's scheduler takes delays of at most about 24 days: a later expiry is checked again
/// after a day) and whether the authenticate deadline applies.
/// </summary>
/// <remarks>Plain state, used by the connection actor only.</remarks>
internal sealed class AuthenticationState(ConnectionAuth auth)
{
    /// <summary>The longest single wait of the expiry timer.</summary>
    public static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    private bool _authenticationReported;

    public Principal? Principal { get; private set; } = auth.Principal ?? (auth.Required ? null : Principal.Anonymous);

    /// <summary>The connection has a token and, by the one expiry rule, it has expired.</summary>
    public bool ExpiryIsDue => Principal is { } principal && principal.IsExpired(auth.Clock.GetUtcNow());

    /// <summary>With authentication required and no valid token, the client has authenticate-timeout to present one.</summary>
    public bool AwaitsToken => auth.Required && Principal is null;

    /// <summary>Whose lease quota this connection's leases count against: its token's subject, in every dialect (else
    /// one token could lease every prefix through many G1 connections), or (null) the connection itself when anonymous.</summary>
    public string? LeaseSubject => Principal is { } principal && !ReferenceEquals(principal, Principal.Anonymous) ? principal.Subject : null;

    /// <summary>How long until the expiry timer should look again (clamped to [0, <see cref="MaxTimerDelay"/>]); null without an expiry.</summary>
    public TimeSpan? ExpiryTimerDelay()
    {
        if (Principal?.ValidUntil is not { } validUntil)
        {
            return null;
        }

        var delay = validUntil - auth.Clock.GetUtcNow();
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxTimerDelay ? MaxTimerDelay : delay;
    }

    /// <summary>The expiry timer armed for <paramref name="armedFor"/> fired: what it should do now.</summary>
    public ExpiryCheck CheckExpiry(Principal armedFor) =>
        !ReferenceEquals(armedFor, Principal) ? ExpiryCheck.Stale
        : armedFor.IsExpired(auth.Clock.GetUtcNow()) ? ExpiryCheck.Expired
        : ExpiryCheck.NotYet;

    /// <summary>The token expired: the connection acts for nobody until a new one.</summary>
    public void Expire() => Principal = null;

    /// <summary>An in-band auth with <paramref name="token"/>. A refused token changes nothing: a connection that had a valid one keeps it.</summary>
    public AuthOutcome Authenticate(string token)
    {
        if (auth.Validator is null)
        {
            return AuthOutcome.Off;
        }

        if (!auth.Validator.TryValidate(token, out var principal, out _) || principal.IsExpired(auth.Clock.GetUtcNow()))
        {
            return AuthOutcome.Refused;
        }

        Principal = principal;
        if (!_authenticationReported && auth.Authenticated is { } authenticated)
        {
            // The gateway is told of the first in-band authentication only.
            _authenticationReported = true;
            authenticated();
        }

        return AuthOutcome.Accepted;
    }

    public bool MayRead(byte[] key) => Principal?.Allows(Right.Read, key) == true;
}

internal enum AuthOutcome
{
    /// <summary>Authentication is off on this server.</summary>
    Off,

    /// <summary>Invalid or expired token.</summary>
    Refused,

    Accepted,
}

internal enum ExpiryCheck
{
    /// <summary>The timer was armed for a token the connection no longer holds.</summary>
    Stale,

    /// <summary>Not expired yet (a far expiry is reached in steps): arm the timer again.</summary>
    NotYet,

    Expired,
}
