using System.Net.WebSockets;
using System.Text;
using Akka.Actor;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// One lifecycle: a connection actor that throws is stopped by its parent, never restarted, and everything that
/// followed it goes with it. The socket is closed with 1011, its request slots are free, its leases wait out their
/// grace for a reconnect, its subscriptions are gone, and the server goes on serving new connections.
/// </summary>
/// <remarks>
/// The failure is injected with <see cref="InjectedFailure"/>, an internal message the connection actor answers by
/// throwing an ordinary exception, as a bug in one of its handlers would; only test assemblies can send it.
/// </remarks>
public sealed class ConnectionLifecycleEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_connection_actor_that_throws_should_close_its_socket_1011_free_its_slots_leave_its_lease_in_grace_and_drop_its_subscription()
    {
        // G1 frames over the rate wait for a token while holding their request slot: requests in flight that stay
        // unanswered for seconds, without stalling any other actor. The G1 push of every put is the subscription.
        await using var server = await TestServer.StartAsync("""
            mwg.connection.max-requests-per-second = 1
            mwg.connection.max-requests-burst = 1
            mwg.connection.g1-push-puts = on
            mwg.locks.grace-period = 5m
            """);
        var client = await ProtocolClient.ConnectAsync(server.Uri, Dialect.G1);
        try
        {
            var lease = Assert.IsType<LockResult>(await client.SendAsync(new Lock(client.NextId())));
            await AwaitAssertAsync(async () => Assert.Equal(1, (await SubscriptionStatsAsync(server)).Subscriptions), Patience);
            Assert.Equal(new LockProtocol.LeaseState(lease.Prefix, true, null), Assert.Single((await LeasesAsync(server)).Leases));

            for (var i = 0; i < 5; i++)
            {
                await client.SendOnlyAsync(new Get(client.NextId(), [Encoding.UTF8.GetBytes("lifecycle/" + i)]));
            }

            var socket = Assert.Single(server.Server.Connections.Open);
            await AwaitAssertAsync(() => Assert.True(socket.RequestsInFlight > 0), Patience);

            server.Server.System.ActorSelection("/user/mwg-connections/*").Tell(InjectedFailure.Instance);

            await client.Closed.WaitAsync(Patience);
            Assert.Equal(WebSocketCloseStatus.InternalServerError, client.CloseStatus);
            await AwaitAssertAsync(() => Assert.Equal(0, server.Server.ConnectionCount), Patience);
            Assert.Equal(0, socket.RequestsInFlight);

            // The lease waits for its owner to come back; the subscription went with the actor.
            await AwaitAssertAsync(
                async () =>
                {
                    var state = Assert.Single((await LeasesAsync(server)).Leases);
                    Assert.Equal(lease.Prefix, state.Prefix);
                    Assert.False(state.OwnerConnected);
                    Assert.NotNull(state.GraceEndsAt);
                },
                Patience);
            await AwaitAssertAsync(async () => Assert.Equal(0, (await SubscriptionStatsAsync(server)).Subscriptions), Patience);

            // The server goes on: a new connection is served (one request: it has the same rate limit), and is not
            // handed the prefix in grace.
            await using var next = await ProtocolClient.ConnectAsync(server.Uri);
            var other = Assert.IsType<LockResult>(await next.SendAsync(new Lock(next.NextId())));
            Assert.NotEqual(lease.Prefix, other.Prefix);
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_lease_of_a_connection_that_failed_should_be_reclaimable_with_its_token_from_a_new_connection()
    {
        await using var server = await TestServer.StartAsync("mwg.locks.grace-period = 5m");
        var client = await ProtocolClient.ConnectAsync(server.Uri);
        LockResult lease;
        try
        {
            lease = Assert.IsType<LockResult>(await client.SendAsync(new Lock(client.NextId())));
            Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Encoding.UTF8.GetBytes("lifecycle/")], null, true)));
            Assert.Equal(1, (await SubscriptionStatsAsync(server)).Subscriptions);

            server.Server.System.ActorSelection("/user/mwg-connections/*").Tell(InjectedFailure.Instance);

            await client.Closed.WaitAsync(Patience);
            Assert.Equal(WebSocketCloseStatus.InternalServerError, client.CloseStatus);
        }
        finally
        {
            await client.DisposeAsync();
        }

        await AwaitAssertAsync(async () => Assert.Equal(0, (await SubscriptionStatsAsync(server)).Subscriptions), Patience);
        await AwaitAssertAsync(
            async () => Assert.Equal(new LockProtocol.LeaseState(lease.Prefix, false, null), Assert.Single((await LeasesAsync(server)).Leases) with { GraceEndsAt = null }),
            Patience);
        Assert.NotNull(Assert.Single((await LeasesAsync(server)).Leases).GraceEndsAt);

        // In grace, the lease is kept for its holder: a new connection that presents the token gets it back.
        await using var reclaimer = await ProtocolClient.ConnectAsync(server.Uri);
        var reclaimed = Assert.IsType<LockResult>(await reclaimer.SendAsync(
            new Lock(reclaimer.NextId(), new LeaseClaim(lease.Prefix, lease.LeaseToken!))));
        Assert.Equal(lease.Prefix, reclaimed.Prefix);
        Assert.Equal(lease.LeaseToken, reclaimed.LeaseToken);
    }

    private static Task<LockProtocol.LeaseList> LeasesAsync(TestServer server) =>
        server.Server.Mwg.Locks.Ask<LockProtocol.LeaseList>(LockProtocol.GetLeases.Instance, AskTimeout);

    private static Task<SubscriptionProtocol.SubscriptionStats> SubscriptionStatsAsync(TestServer server) =>
        server.Server.Mwg.Subscriptions.Ask<SubscriptionProtocol.SubscriptionStats>(SubscriptionProtocol.GetStats.Instance, AskTimeout);
}
