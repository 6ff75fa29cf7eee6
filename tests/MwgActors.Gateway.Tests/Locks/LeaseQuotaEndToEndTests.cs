using System.Net.WebSockets;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 6: a token whose lock right is only on <c>bob/</c> leased all 65,536 prefixes. Now one owner (the
/// token subject, G1 connections included; the connection for anonymous clients) holds at most mwg.locks.max-leases-per-owner leases,
/// and an original G1 client, which keeps its prefix in a Java <c>short</c>, is never handed one above 32767.
/// </summary>
public sealed class LeaseQuotaEndToEndTests
{
    private const string Auth = """
        mwg.locks.max-leases-per-owner = 4
        mwg.auth {
          enabled = on
          jwt-secret = "quota-e2e-secret-0123456789abcdef-0123"
          api-keys = [
            { key = "bob-key-0123456789", subject = "bob", lock = ["bob/"] },
            { key = "alice-key-0123456789", subject = "alice", lock = ["alice/"] }
          ]
        }
        """;

    private static readonly BinaryClientEncoder G1Encoder = new(Dialect.G1);
    private static readonly BinaryClientDecoder G1Decoder = new(Dialect.G1);

    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task A_subject_should_lease_up_to_the_quota_on_any_connection_then_get_LeaseQuotaExceeded_while_another_subject_still_leases(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync(Auth);
        await using var bob = await ConnectAsync(server, dialect, "bob-key-0123456789");
        await using var bobAgain = await ConnectAsync(server, dialect, "bob-key-0123456789");

        for (var i = 0; i < 2; i++)
        {
            Assert.IsType<LockResult>(await bob.SendAsync(new Lock(bob.NextId())));
            Assert.IsType<LockResult>(await bobAgain.SendAsync(new Lock(bobAgain.NextId())));
        }

        Assert.Equal(ErrorCode.LeaseQuotaExceeded, Assert.IsType<Error>(await bob.SendAsync(new Lock(bob.NextId()))).Code);
        Assert.Equal(ErrorCode.LeaseQuotaExceeded, Assert.IsType<Error>(await bobAgain.SendAsync(new Lock(bobAgain.NextId()))).Code);

        await using var alice = await ConnectAsync(server, dialect, "alice-key-0123456789");
        Assert.Equal(4, Assert.IsType<LockResult>(await alice.SendAsync(new Lock(alice.NextId()))).Prefix);

        // The refused connection stays usable: a released lease makes room again.
        var held = Assert.IsType<LockResult>(await alice.SendAsync(new Lock(alice.NextId())));
        Assert.IsType<UnlockResult>(await alice.SendAsync(new Unlock(alice.NextId(), held.Prefix, held.LeaseToken!)));
        Assert.IsType<Pong>(await bob.SendAsync(new Ping(bob.NextId())));
    }

    [Fact]
    public async Task Original_G1_clients_with_a_token_should_count_against_its_subject_so_reconnecting_cannot_lease_every_prefix()
    {
        await using var server = await TestServer.StartAsync(Auth + "\nmwg.connection.g1-push-puts = off");
        var granted = new List<int>();
        var open = new List<RawClient>();
        for (var i = 0; i < 4; i++)
        {
            // Each connection leases once and stays open: one G1 client per graph, as mwDB opens them.
            var g1 = await RawClient.ConnectAsync(server.Uri, configure: o => o.SetRequestHeader("Authorization", "Bearer bob-key-0123456789"));
            open.Add(g1);
            await g1.SendAsync(G1Encoder.Encode(new Lock(Id(0))));
            granted.Add(Assert.IsType<LockResult>(G1Decoder.Decode(await g1.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("closed"))).Prefix);
        }

        // A fifth G1 connection of the same subject is refused (G1 has no error frame: the socket closes).
        await using (var refused = await RawClient.ConnectAsync(server.Uri, configure: o => o.SetRequestHeader("Authorization", "Bearer bob-key-0123456789")))
        {
            await refused.SendAsync(G1Encoder.Encode(new Lock(Id(0))));
            var frame = await refused.ReceiveAsync(TimeSpan.FromSeconds(30));
            Assert.True(frame is null, frame is null ? null : $"got {G1Decoder.Decode(frame)}");
        }

        // Another subject still leases.
        await using var alice = await ConnectAsync(server, Dialect.Extended, "alice-key-0123456789");
        Assert.IsType<LockResult>(await alice.SendAsync(new Lock(alice.NextId())));
        Assert.Equal(4, granted.Distinct().Count());
        foreach (var g1 in open)
        {
            await g1.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_authentication_each_connection_should_be_its_own_owner()
    {
        await using var server = await TestServer.StartAsync("mwg.locks.max-leases-per-owner = 2\nmwg.connection.g1-push-puts = off");
        await using var greedy = await ProtocolClient.ConnectAsync(server.Uri);
        await using var other = await ProtocolClient.ConnectAsync(server.Uri);

        Assert.IsType<LockResult>(await greedy.SendAsync(new Lock(greedy.NextId())));
        Assert.IsType<LockResult>(await greedy.SendAsync(new Lock(greedy.NextId())));
        Assert.Equal(ErrorCode.LeaseQuotaExceeded, Assert.IsType<Error>(await greedy.SendAsync(new Lock(greedy.NextId()))).Code);

        Assert.Equal(2, Assert.IsType<LockResult>(await other.SendAsync(new Lock(other.NextId()))).Prefix);
    }

    [Fact]
    public async Task A_G1_client_should_never_be_handed_a_prefix_above_32767()
    {
        const int Shorts = short.MaxValue + 1;
        await using var server = await TestServer.StartAsync("mwg.locks.max-leases-per-owner = 65536\nmwg.connection.g1-push-puts = off");

        // An extended client holds every short prefix, its requests pipelined.
        await using var holder = await ProtocolClient.ConnectAsync(server.Uri);
        var grants = new LockResult[Shorts];
        const int Window = 32;
        for (var first = 0; first < Shorts; first += Window)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, Window).Select(_ => holder.SendAsync(new Lock(holder.NextId()), TimeSpan.FromSeconds(60))));
            foreach (var granted in batch.Select(Assert.IsType<LockResult>))
            {
                grants[granted.Prefix] = granted;
            }
        }

        Assert.All(grants, Assert.NotNull);

        // The original client gets no prefix rather than 32768, which its short would read as -32768: its only refusal is the close.
        await using (var refused = await RawClient.ConnectAsync(server.Uri))
        {
            await refused.SendAsync(G1Encoder.Encode(new Lock(Id(0))));
            var frame = await refused.ReceiveAsync(TimeSpan.FromSeconds(30));
            Assert.True(frame is null, frame is null ? null : $"got {G1Decoder.Decode(frame)}");
            Assert.Equal(WebSocketCloseStatus.InternalServerError, refused.Socket.CloseStatus);
        }

        // Once a short prefix is free again, the next original client gets it; an extended one still gets one above.
        Assert.IsType<UnlockResult>(await holder.SendAsync(new Unlock(holder.NextId(), 100, grants[100].LeaseToken!)));
        await using var original = await RawClient.ConnectAsync(server.Uri);
        await original.SendAsync(G1Encoder.Encode(new Lock(Id(0))));
        var reply = Assert.IsType<LockResult>(G1Decoder.Decode(await original.ReceiveAsync(TimeSpan.FromSeconds(30)) ?? throw new InvalidOperationException("closed")));
        Assert.Equal(100, reply.Prefix);

        Assert.Equal(Shorts, Assert.IsType<LockResult>(await holder.SendAsync(new Lock(holder.NextId()))).Prefix);
    }

    private static Task<ProtocolClient> ConnectAsync(TestServer server, Dialect dialect, string apiKey) =>
        ProtocolClient.ConnectAsync(server.Uri, dialect, o => o.SetRequestHeader("Authorization", "Bearer " + apiKey));

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));
}
