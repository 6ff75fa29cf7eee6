using System.Text;
using Akka.Actor;
using MwgActors.Actors.Locks;
using MwgActors.Protocol;
using MwgActors.Storage.Mwdb;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Gateway.Tests;

/// <summary>Prefix leases over real sockets: uniqueness under concurrency, reclaim after a reconnect or a restart, grace expiry.</summary>
public sealed class LockEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task Fifty_concurrent_clients_locking_should_never_share_a_prefix()
    {
        await using var server = await TestServer.StartAsync();
        // Half speak original G1 (the bare "06 ID" prefix request), half the extended LOCK.
        var g1Clients = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => RawClient.ConnectAsync(server.Uri)));
        var extendedClients = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => ProtocolClient.ConnectAsync(server.Uri)));
        try
        {
            var g1Prefixes = g1Clients.Select(async client =>
            {
                await client.SendAsync([0x06, 0x41]);
                return ParseG1PrefixReply(await client.ReceiveAsync());
            });
            var extendedPrefixes = extendedClients.Select(async client =>
                Assert.IsType<LockResult>(await client.SendAsync(new Lock(client.NextId()))).Prefix);

            var prefixes = await Task.WhenAll(g1Prefixes.Concat(extendedPrefixes));

            Assert.Equal(50, prefixes.Distinct().Count());
            Assert.All(prefixes, p => Assert.InRange(p, 0, 49)); // the lowest free prefixes, none skipped
        }
        finally
        {
            await Task.WhenAll(g1Clients.Select(c => c.DisposeAsync().AsTask()).Concat(extendedClients.Select(c => c.DisposeAsync().AsTask())));
        }
    }

    [Fact]
    public async Task Lease_should_survive_a_reconnect_within_grace_and_be_handed_out_again_after_it()
    {
        await using var server = await TestServer.StartAsync("mwg.locks.grace-period = 1s");
        LockResult granted;
        await using (var holder = await ProtocolClient.ConnectAsync(server.Uri))
        {
            granted = Assert.IsType<LockResult>(await holder.SendAsync(new Lock(holder.NextId())));
        }

        // A new connection presents the prefix and token it was given.
        var reclaimer = await ProtocolClient.ConnectAsync(server.Uri);
        var reclaimed = Assert.IsType<LockResult>(await reclaimer.SendAsync(
            new Lock(reclaimer.NextId(), new LeaseClaim(granted.Prefix, granted.LeaseToken!))));
        Assert.Equal(granted.Prefix, reclaimed.Prefix);
        Assert.Equal(granted.LeaseToken, reclaimed.LeaseToken);

        // Meanwhile another client is given some other prefix.
        await using var other = await ProtocolClient.ConnectAsync(server.Uri);
        var otherLease = Assert.IsType<LockResult>(await other.SendAsync(new Lock(other.NextId())));
        Assert.NotEqual(granted.Prefix, otherLease.Prefix);

        // The reclaimer goes away for good: once its grace (1s) ends, the prefix is free again.
        await reclaimer.DisposeAsync();
        await AwaitAssertAsync(
            async () => Assert.DoesNotContain(granted.Prefix, await LeasedPrefixesAsync(server)),
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(100));

        await using var newcomer = await ProtocolClient.ConnectAsync(server.Uri);
        var fresh = Assert.IsType<LockResult>(await newcomer.SendAsync(new Lock(newcomer.NextId())));
        Assert.Equal(granted.Prefix, fresh.Prefix);
        Assert.NotEqual(granted.LeaseToken, fresh.LeaseToken);

        var staleReclaim = Assert.IsType<Error>(await newcomer.SendAsync(
            new Lock(newcomer.NextId(), new LeaseClaim(granted.Prefix, granted.LeaseToken!))));
        Assert.Equal(ErrorCode.LeaseTokenInvalid, staleReclaim.Code);
    }

    [Fact]
    public async Task Unlock_should_release_with_the_token_and_refuse_a_wrong_one()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await ProtocolClient.ConnectAsync(server.Uri);
        var granted = Assert.IsType<LockResult>(await client.SendAsync(new Lock(client.NextId())));

        var wrong = Assert.IsType<Error>(await client.SendAsync(new Unlock(client.NextId(), granted.Prefix, Encoding.UTF8.GetBytes("not-the-token"))));
        Assert.Equal(ErrorCode.LeaseTokenInvalid, wrong.Code);
        Assert.Contains(granted.Prefix, await LeasedPrefixesAsync(server));

        Assert.IsType<UnlockResult>(await client.SendAsync(new Unlock(client.NextId(), granted.Prefix, granted.LeaseToken!)));
        Assert.DoesNotContain(granted.Prefix, await LeasedPrefixesAsync(server));

        // Released, not in grace: the next request gets the same prefix at once.
        var again = Assert.IsType<LockResult>(await client.SendAsync(new Lock(client.NextId())));
        Assert.Equal(granted.Prefix, again.Prefix);
    }

    [Fact]
    public async Task Lease_should_survive_a_server_restart_within_grace()
    {
        var first = await TestServer.StartAsync();
        await using var _ = first; // owns the folder: disposed last, it removes it
        LockResult granted;
        await using (var holder = await ProtocolClient.ConnectAsync(first.Uri))
        {
            Assert.IsType<LockResult>(await holder.SendAsync(new Lock(holder.NextId())));
            granted = Assert.IsType<LockResult>(await holder.SendAsync(new Lock(holder.NextId())));
        }

        var dataPath = await first.StopKeepingDataAsync();
        await using var second = await TestServer.StartAsync(dataPath: dataPath);

        await using var other = await ProtocolClient.ConnectAsync(second.Uri);
        var otherLease = Assert.IsType<LockResult>(await other.SendAsync(new Lock(other.NextId())));
        Assert.NotEqual(granted.Prefix, otherLease.Prefix);

        await using var reclaimer = await ProtocolClient.ConnectAsync(second.Uri);
        var wrong = Assert.IsType<Error>(await reclaimer.SendAsync(
            new Lock(reclaimer.NextId(), new LeaseClaim(granted.Prefix, Encoding.UTF8.GetBytes("forged")))));
        Assert.Equal(ErrorCode.LeaseTokenInvalid, wrong.Code);
        var reclaimed = Assert.IsType<LockResult>(await reclaimer.SendAsync(
            new Lock(reclaimer.NextId(), new LeaseClaim(granted.Prefix, granted.LeaseToken!))));
        Assert.Equal(granted.Prefix, reclaimed.Prefix);
    }

    private static int ParseG1PrefixReply(byte[]? frame)
    {
        Assert.NotNull(frame);
        var header = Array.LastIndexOf(frame, (byte)'#');
        Assert.True(header >= 0 && frame[header + 1] == 0x07, "expected a G1 prefix reply (type 7)");
        return MwdbBase64.DecodeInt(frame.AsSpan(0, header));
    }

    private static async Task<int[]> LeasedPrefixesAsync(TestServer server)
    {
        var list = await server.Server.Mwg.Locks.Ask<LockProtocol.LeaseList>(LockProtocol.GetLeases.Instance, TimeSpan.FromSeconds(5));
        return [.. list.Leases.Select(l => l.Prefix)];
    }
}
