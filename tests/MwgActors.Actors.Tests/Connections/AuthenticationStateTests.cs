using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>Who a connection acts for, the one expiry rule on its clock, and the expiry timer's delay.</summary>
public sealed class AuthenticationStateTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Validator _validator = new();

    [Fact]
    public void Without_authentication_the_connection_should_act_anonymously_for_ever()
    {
        var state = new AuthenticationState(ConnectionAuth.None);

        Assert.Same(Principal.Anonymous, state.Principal);
        Assert.Null(state.ExpiryTimerDelay());
        Assert.False(state.AwaitsToken);
        Assert.Null(state.LeaseSubject);
        Assert.Equal(AuthOutcome.Off, state.Authenticate("any"));
    }

    [Fact]
    public void A_required_token_should_be_awaited_until_a_valid_one_comes_and_a_refused_one_change_nothing()
    {
        _validator.Tokens["good"] = Expiring(TimeSpan.FromHours(1));
        var reported = 0;
        var state = new AuthenticationState(Auth(principal: null) with { Authenticated = () => reported++ });
        Assert.True(state.AwaitsToken);

        Assert.Equal(AuthOutcome.Refused, state.Authenticate("bad"));
        Assert.Null(state.Principal);

        Assert.Equal(AuthOutcome.Accepted, state.Authenticate("good"));
        Assert.Equal(AuthOutcome.Accepted, state.Authenticate("good"));
        Assert.Equal(("ada", 1), (state.LeaseSubject, reported)); // the gateway hears of the first only
        Assert.False(state.AwaitsToken);

        Assert.Equal(AuthOutcome.Refused, state.Authenticate("bad"));
        Assert.Equal("ada", state.Principal?.Subject);
    }

    [Fact]
    public void A_token_already_expired_on_the_connection_clock_should_be_refused()
    {
        _validator.Tokens["stale"] = Expiring(TimeSpan.FromMinutes(-1));
        var state = new AuthenticationState(Auth(principal: null));

        Assert.Equal(AuthOutcome.Refused, state.Authenticate("stale"));
    }

    [Fact]
    public void Expiry_should_be_due_by_the_connection_clock_and_clear_the_principal_when_applied()
    {
        var principal = Expiring(TimeSpan.FromMinutes(10));
        var state = new AuthenticationState(Auth(principal));
        Assert.Equal(TimeSpan.FromMinutes(10), state.ExpiryTimerDelay());
        Assert.Equal(ExpiryCheck.NotYet, state.CheckExpiry(principal));
        Assert.False(state.ExpiryIsDue);

        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(state.ExpiryIsDue);
        Assert.Equal(ExpiryCheck.Expired, state.CheckExpiry(principal));
        Assert.Equal(TimeSpan.Zero, state.ExpiryTimerDelay());

        state.Expire();
        Assert.Null(state.Principal);
        Assert.False(state.ExpiryIsDue);
        Assert.Equal(ExpiryCheck.Stale, state.CheckExpiry(principal)); // a timer armed for the old token
    }

    [Fact]
    public void A_far_expiry_should_be_waited_for_in_steps_of_at_most_a_day()
    {
        var state = new AuthenticationState(Auth(Expiring(TimeSpan.FromDays(400))));

        Assert.Equal(AuthenticationState.MaxTimerDelay, state.ExpiryTimerDelay());
        Assert.Equal(TimeSpan.FromDays(1), AuthenticationState.MaxTimerDelay);
    }

    [Fact]
    public void Reads_should_follow_the_token_rights_and_stop_when_it_expires()
    {
        var principal = new Principal("ada", new Dictionary<Right, IReadOnlyList<byte[]>> { [Right.Read] = ["a/"u8.ToArray()] }, null);
        var state = new AuthenticationState(Auth(principal));

        Assert.True(state.MayRead("a/1"u8.ToArray()));
        Assert.False(state.MayRead("b/1"u8.ToArray()));
        state.Expire();
        Assert.False(state.MayRead("a/1"u8.ToArray()));
    }

    private ConnectionAuth Auth(Principal? principal) => new(principal, _validator, Required: true) { Clock = _clock };

    private Principal Expiring(TimeSpan after) =>
        new("ada", new Dictionary<Right, IReadOnlyList<byte[]>> { [Right.Read] = [[]] }, _clock.GetUtcNow() + after);

    private sealed class Validator : ITokenValidator
    {
        public Dictionary<string, Principal> Tokens { get; } = [];

        public bool TryValidate(string token, out Principal principal, out ErrorCode error)
        {
            error = ErrorCode.Unauthorized;
            var known = Tokens.TryGetValue(token, out var found);
            principal = found ?? Principal.Anonymous;
            return known;
        }
    }
}
