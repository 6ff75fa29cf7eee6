using Akka.Actor;
using MwgActors.Actors.Locks;
using MwgActors.Protocol;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Lease renewal: a connection holding a lease renews it periodically, so a lock actor that restarted (and recovered
/// its leases from the journal, ownerless and in grace) gives the lease back to the live connection instead of letting
/// it expire under it. Seen from outside: through the wire and the lock table, never the connection's internals.
/// </summary>
public sealed class LeaseRenewalEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    // The connection renews every 5 s: within this bound a renewal has happened at least once after the restart.
    private static readonly TimeSpan RenewalBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_lease_should_stay_with_its_live_connection_when_the_lock_actor_restarts()
    {
        // A grace period far longer than the test: without a renewal the recovered lease would stay ownerless in grace.
        await using var server = await TestServer.StartAsync("mwg.locks.grace-period = 120s");
        await using var holder = await ProtocolClient.ConnectAsync(server.Uri);
        var granted = Assert.IsType<LockResult>(await holder.SendAsync(new Lock(holder.NextId())));
        Assert.Equal(new LockProtocol.LeaseState(granted.Prefix, true, null), await LeaseAsync(server, granted.Prefix));

        // The lock actor stops; its backoff supervisor starts a new one, which recovers the lease from the journal.
        var locks = await server.Server.System.ActorSelection("/user/mwg-locks/locks").ResolveOne(TimeSpan.FromSeconds(5));
        Assert.True(await locks.GracefulStop(TimeSpan.FromSeconds(5)));

        await AwaitAssertAsync(
            async () => Assert.Equal(new LockProtocol.LeaseState(granted.Prefix, true, null), await LeaseAsync(server, granted.Prefix)),
            RenewalBound,
            TimeSpan.FromMilliseconds(200));

        // The lease is the holder's: a newcomer is given another prefix, and the holder can still release it.
        await using var newcomer = await ProtocolClient.ConnectAsync(server.Uri);
        var other = Assert.IsType<LockResult>(await newcomer.SendAsync(new Lock(newcomer.NextId())));
        Assert.NotEqual(granted.Prefix, other.Prefix);
        Assert.IsType<UnlockResult>(await holder.SendAsync(new Unlock(holder.NextId(), granted.Prefix, granted.LeaseToken!)));
    }

    [Fact]
    public async Task A_renewed_lease_should_enter_grace_when_its_connection_goes_away()
    {
        await using var server = await TestServer.StartAsync("mwg.locks.grace-period = 120s");
        var holder = await ProtocolClient.ConnectAsync(server.Uri);
        var granted = Assert.IsType<LockResult>(await holder.SendAsync(new Lock(holder.NextId())));
        var locks = await server.Server.System.ActorSelection("/user/mwg-locks/locks").ResolveOne(TimeSpan.FromSeconds(5));
        Assert.True(await locks.GracefulStop(TimeSpan.FromSeconds(5)));
        await AwaitAssertAsync(
            async () => Assert.True((await LeaseAsync(server, granted.Prefix))?.OwnerConnected),
            RenewalBound,
            TimeSpan.FromMilliseconds(200));

        // The restarted lock actor watches the renewing connection: its end starts the grace period.
        await holder.DisposeAsync();

        await AwaitAssertAsync(
            async () =>
            {
                var lease = await LeaseAsync(server, granted.Prefix);
                Assert.NotNull(lease);
                Assert.False(lease.OwnerConnected);
                Assert.NotNull(lease.GraceEndsAt);
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>The lock table's entry for <paramref name="prefix"/>; null while the lock actor restarts or when it is free.</summary>
    private static async Task<LockProtocol.LeaseState?> LeaseAsync(TestServer server, int prefix)
    {
        try
        {
            var list = await server.Server.Mwg.Locks.Ask<LockProtocol.LeaseList>(LockProtocol.GetLeases.Instance, TimeSpan.FromSeconds(1));
            return list.Leases.SingleOrDefault(l => l.Prefix == prefix);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
