using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The leases a connection holds, renewed every interval while it holds any.</summary>
public sealed class LeaseRenewalTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Held_leases_should_be_renewed_at_once_then_once_per_interval()
    {
        var leases = new LeaseRenewal(_clock);
        Assert.False(leases.TryRenew(out _)); // none held

        leases.Granted(3, "t3");
        leases.Granted(5, "t5");
        Assert.True(leases.TryRenew(out var claims));
        Assert.Equal([(3, "t3"), (5, "t5")], claims.Select(c => (c.Prefix, c.LeaseToken)).Order());

        _clock.Advance(LeaseRenewal.Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(leases.TryRenew(out _));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        leases.Released(3);
        Assert.True(leases.TryRenew(out claims));
        Assert.Equal([(5, "t5")], claims.Select(c => (c.Prefix, c.LeaseToken)));
    }

    [Fact]
    public void A_lease_granted_again_should_be_renewed_with_its_new_token()
    {
        var leases = new LeaseRenewal(_clock);
        leases.Granted(1, "old");
        leases.Granted(1, "new");

        Assert.True(leases.TryRenew(out var claims));
        Assert.Equal("new", Assert.Single(claims).LeaseToken);
    }
}
