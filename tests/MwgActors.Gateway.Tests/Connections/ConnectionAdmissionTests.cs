using MwgActors.Gateway.Server;
using static MwgActors.Gateway.Server.ConnectionAdmission;

namespace MwgActors.Gateway.Tests;

/// <summary>The admission counts: unauthenticated connections have a cap of their own inside max-connections.</summary>
public sealed class ConnectionAdmissionTests
{
    [Fact]
    public void Connections_without_a_token_should_stop_at_their_cap_while_authenticated_ones_still_get_in()
    {
        var admission = new ConnectionAdmission(maxConnections: 10, maxUnauthenticated: 3);

        var waiting = Enumerable.Range(0, 3).Select(i => admission.TryAdmit(authenticated: false, out _)).ToList();
        Assert.All(waiting, Assert.NotNull);
        Assert.Null(admission.TryAdmit(authenticated: false, out var refusal));
        Assert.Equal(Refusal.UnauthenticatedCapacity, refusal);

        var authenticated = Enumerable.Range(0, 7).Select(i => admission.TryAdmit(authenticated: true, out _)).ToList();
        Assert.All(authenticated, Assert.NotNull);
        Assert.Null(admission.TryAdmit(authenticated: true, out refusal));
        Assert.Equal(Refusal.Capacity, refusal);
        Assert.Equal((10, 3), (admission.Open, admission.Unauthenticated));
    }

    [Fact]
    public void The_unauthenticated_cap_should_be_at_most_half_of_max_connections()
    {
        Assert.Equal(25, new ConnectionAdmission(maxConnections: 50, maxUnauthenticated: 64).MaxUnauthenticated);
        Assert.Equal(0, new ConnectionAdmission(maxConnections: 1, maxUnauthenticated: 64).MaxUnauthenticated);
        Assert.Equal(64, new ConnectionAdmission(maxConnections: 10000, maxUnauthenticated: 64).MaxUnauthenticated);
    }

    [Fact]
    public void Authenticating_should_free_the_unauthenticated_place_once_and_closing_free_the_connection()
    {
        var admission = new ConnectionAdmission(maxConnections: 10, maxUnauthenticated: 1);
        var first = admission.TryAdmit(authenticated: false, out _)!;

        first.Authenticated();
        first.Authenticated();
        var second = admission.TryAdmit(authenticated: false, out _);

        Assert.NotNull(second);
        Assert.Equal((2, 1), (admission.Open, admission.Unauthenticated));
        second.Dispose();
        second.Dispose();
        first.Dispose();
        Assert.Equal((0, 0), (admission.Open, admission.Unauthenticated));
    }
}
