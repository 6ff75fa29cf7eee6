using System.Net;
using System.Net.Sockets;
using System.Text;
using MwgActors.Protocol;
using Xunit.Abstractions;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 4: <c>GET /keys</c> listings whose clients never read cannot pin memory without bound. At most
/// <c>mwg.server.max-concurrent-listings</c> are in flight (the others are answered 503 before they scan), each
/// holds at most <c>listing-max-bytes</c>, the reply is encoded in segments as the socket takes them; meanwhile
/// other clients are served.
/// </summary>
public sealed class KeysListingBudgetEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    private const long MiB = 1024 * 1024;
    private const int Stalled = 40;

    // Defaults of reference.conf: mwg.server.max-concurrent-listings and listing-max-bytes.
    private const int MaxListings = 8;
    private const long ListingMaxBytes = 16 * MiB;

    private readonly ITestOutputHelper _output;

    public KeysListingBudgetEndToEndTests(ITestOutputHelper output)
        : base(output: output) => _output = output;

    [Fact]
    public async Task Listings_that_are_never_read_should_pin_bounded_memory_while_others_are_served()
    {
        await using var server = await TestServer.StartAsync();

        // 17 values of 1 MiB of '<', which JSON escapes as \u003C: a listing is the whole byte budget, and its
        // reply six times that.
        var value = Enumerable.Repeat((byte)'<', (int)MiB).ToArray();
        for (var i = 0; i < 17; i++)
        {
            await server.Server.Mwg.Store.PutAsync([new(Encoding.UTF8.GetBytes($"big/{i:D2}"), value)]);
        }

        var baseline = LiveBytes();
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < Stalled; i++)
            {
                sockets.Add(await RequestListingAsync(server.Server.Port));
            }

            // Each reads only its status line, so every listing has been scanned (or refused) and is stalled.
            var statuses = await Task.WhenAll(sockets.Select(StatusAsync));
            var grown = LiveBytes() - baseline;
            _output.WriteLine($"{statuses.Count(s => s == 200)} listings in flight hold {server.Server.Listings.BytesHeld / MiB} MiB; live memory grew by {grown / MiB} MiB");

            Assert.All(statuses, status => Assert.True(status is 200 or 503, $"status {status}"));
            Assert.InRange(statuses.Count(s => s == 200), 1, MaxListings);
            Assert.InRange(server.Server.Listings.BytesHeld, 0, MaxListings * (ListingMaxBytes + MiB + 64));
            Assert.True(grown < 256 * MiB, $"live memory grew by {grown / MiB} MiB with {Stalled} listings that are not read");

            // Others are served meanwhile: a probe, and a websocket round trip.
            using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            await using var client = await ProtocolClient.ConnectAsync(server.Uri);
            var put = Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue("small/a"u8.ToArray(), "1"u8.ToArray())]), TimeSpan.FromSeconds(30)));
            Assert.True(put.Ok);
            var got = Assert.IsType<GetResult>(await client.SendAsync(new Get(client.NextId(), ["small/a"u8.ToArray()]), TimeSpan.FromSeconds(30)));
            Assert.Equal("1"u8.ToArray(), got.Values[0]);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }

        // The clients gone, their places and bytes are given back.
        await AwaitAssertAsync(
            () => Assert.Equal((0, 0L), (server.Server.Listings.InFlight, server.Server.Listings.BytesHeld)),
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_listing_past_max_concurrent_listings_should_be_answered_503_with_retry_after()
    {
        await using var server = await TestServer.StartAsync("mwg.server.max-concurrent-listings = 1");
        var value = Enumerable.Repeat((byte)'<', (int)MiB).ToArray();
        for (var i = 0; i < 4; i++)
        {
            await server.Server.Mwg.Store.PutAsync([new(Encoding.UTF8.GetBytes($"big/{i}"), value)]);
        }

        using var stalled = await RequestListingAsync(server.Server.Port);
        Assert.Equal(200, await StatusAsync(stalled));

        using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(30) };
        using var refused = await http.GetAsync(new Uri("/keys?prefix=big/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(1, server.Server.Listings.InFlight);
    }

    [Fact]
    public async Task A_listing_read_below_the_minimum_data_rate_should_be_dropped_and_its_place_given_back()
    {
        // A floor no stalled client can meet: Kestrel drops the connection once the grace period is over.
        await using var server = await TestServer.StartAsync("""
            mwg.server.min-response-data-rate = 64m
            mwg.server.data-rate-grace-period = 2s
            """);
        var value = Enumerable.Repeat((byte)'<', (int)MiB).ToArray();
        for (var i = 0; i < 4; i++)
        {
            await server.Server.Mwg.Store.PutAsync([new(Encoding.UTF8.GetBytes($"big/{i}"), value)]);
        }

        using var stalled = await RequestListingAsync(server.Server.Port);
        Assert.Equal(200, await StatusAsync(stalled));

        // The socket stays open on this side and is never read: only the server can end the listing.
        await AwaitAssertAsync(
            () => Assert.Equal((0, 0L), (server.Server.Listings.InFlight, server.Server.Listings.BytesHeld)),
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Live managed memory after a full collection: what the server holds, not what it has thrown away.</summary>
    private static long LiveBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>
    /// A raw client with a small receive buffer (set before the connect, so no autotuning) that asks for a listing
    /// of big/ and then reads nothing but what <see cref="StatusAsync"/> takes.
    /// </summary>
    private static async Task<Socket> RequestListingAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /keys?prefix=big/&limit=100 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        return socket;
    }

    /// <summary>The status of the response, reading only "HTTP/1.1 NNN".</summary>
    private static async Task<int> StatusAsync(Socket socket)
    {
        var head = new byte[12];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var read = 0;
        while (read < head.Length)
        {
            var n = await socket.ReceiveAsync(head.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var text = Encoding.ASCII.GetString(head, 0, read);
        return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(text[9..], System.Globalization.CultureInfo.InvariantCulture) : -1;
    }
}
