using Akka.Event;
using MwgActors.Actors.Diagnostics;
using MwgActors.Protocol;
using Error = MwgActors.Protocol.Error;

namespace MwgActors.Actors.Connections;

/// <summary>In-band authentication, token expiry and the authenticate deadline (<see cref="AuthenticationState"/> decides).</summary>
public sealed partial class ConnectionActor
{
    private void OnAuth(Protocol.Auth auth)
    {
        switch (_authentication.Authenticate(auth.Token))
        {
            case AuthOutcome.Off:
                Answer(RequestKind.Auth, RequestOutcome.Refused, new Error(auth.Id, ErrorCode.Unauthorized, "authentication is off on this server"));
                return;
            case AuthOutcome.Refused:
                Answer(RequestKind.Auth, RequestOutcome.Refused, new Error(auth.Id, ErrorCode.Unauthorized, "invalid or expired token"));
                return;
        }

        var principal = _authentication.Principal!;
        Timers.Cancel(AuthenticateTimer);
        ScheduleExpiry();
        Answer(RequestKind.Auth, RequestOutcome.Ok, new AuthResult(auth.Id, principal.Subject, principal.ExpiresAt?.ToUnixTimeMilliseconds()));
        ResumeSubscriptions();
    }

    private void ScheduleExpiry()
    {
        Timers.Cancel(ExpiryTimer);
        if (_authentication.ExpiryTimerDelay() is { } delay)
        {
            Timers.StartSingleTimer(ExpiryTimer, new TokenExpiry(_authentication.Principal!), delay);
        }
    }

    private void OnTokenExpiry(TokenExpiry expiry)
    {
        switch (_authentication.CheckExpiry(expiry.Principal))
        {
            case ExpiryCheck.NotYet:
                ScheduleExpiry();
                break;
            case ExpiryCheck.Expired:
                Expire();
                break;
        }
    }

    /// <summary>The token expired: the client is told, requests are refused and subscriptions paused until a new one.</summary>
    private void Expire()
    {
        Timers.Cancel(ExpiryTimer);

        // An original client cannot be told, nor present a new token: the close is the signal.
        if (ApplyFallback(_fallbacks.TokenExpired, new TokenExpired(), freesSlot: false))
        {
            return;
        }

        _authentication.Expire();
        foreach (var subscription in _subscriptions.All)
        {
            Pause(subscription);
        }

        // Like a connection that never had a token, this one may not sit unauthenticated for ever.
        ArmAuthenticateDeadline();
    }

    /// <summary>With authentication required and no valid token, the client has authenticate-timeout to present one.</summary>
    private void ArmAuthenticateDeadline()
    {
        if (_authentication.AwaitsToken && !_closing)
        {
            // A single timer from now: frames, heartbeats and pings do not move it.
            Timers.StartSingleTimer(AuthenticateTimer, AuthenticateDeadline.Instance, _settings.AuthenticateTimeout);
        }
    }

    private void OnAuthenticateDeadline()
    {
        if (_authentication.Principal is null)
        {
            _log.Debug("Connection {Connection} ({Dialect}) did not authenticate within {Timeout}; closed with 1008", Self.Path.Name, _codec.Dialect, _settings.AuthenticateTimeout);
            CloseWith(CloseCodes.PolicyViolation, "authentication timeout");
        }
    }
}
