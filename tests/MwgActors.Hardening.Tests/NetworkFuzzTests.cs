using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;
using MwgActors.Storage.Mwdb;
using Xunit.Abstractions;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// Many connections in all three dialects send bad frames while a well-behaved client works beside them. The server
/// answers each bad frame with an error (extended, JSON) or closes that connection with the right code (G1 has no
/// error frame; an oversized message is 1009 in every dialect), never crashes, never leaks a connection or memory,
/// and the well-behaved client sees every reply and every notification.
/// </summary>
public sealed class NetworkFuzzTests : Akka.TestKit.Xunit2.TestKit
{
    // A small frame limit makes oversized messages cheap to send; everything else is the default.
    private const string Hocon = """
        mwg.protocol.max-frame-size = 64k
        """;

    private const int BurstSize = 64;

    // Heap growth allowed between the end of the warm-up and the end of the run, after forced collections.
    private const long HeapGrowthBound = 128L * 1024 * 1024;

    private readonly ITestOutputHelper _output;

    public NetworkFuzzTests(ITestOutputHelper output)
        : base(string.Empty, output) => _output = output;

    [Fact]
    public async Task Bad_frames_on_every_dialect_should_be_refused_without_harming_the_server_or_a_well_behaved_client()
    {
        var target = FuzzSettings.FuzzFrames;
        _output.WriteLine($"seed {FuzzSettings.Seed} (MWG_SEED), {target} bad frames (MWG_FUZZ_FRAMES)");
        await using var server = await TestServer.StartAsync(Hocon);
        var limits = server.Server.Mwg.ConnectionSettings.Limits;

        // Connections that only watch: they must still be served at the end.
        var bystanders = new List<ProtocolClient>();
        for (var i = 0; i < 16; i++)
        {
            bystanders.Add(await ProtocolClient.ConnectAsync(server.Uri, i % 2 == 0 ? Dialect.Extended : Dialect.Json));
        }

        // Warm-up: the same fuzz, so the heap baseline below includes pools, JIT and caches.
        var warmUp = await FuzzAsync(server.Uri, limits, Math.Max(1000, target / 10), FuzzSettings.Seed);
        var baseline = CollectedHeap();

        await using var wellBehaved = await WellBehavedClient.StartAsync(server.Uri);
        var run = await FuzzAsync(server.Uri, limits, target, FuzzSettings.Seed + 1);
        await wellBehaved.StopAndVerifyAsync();

        _output.WriteLine($"warm-up {warmUp}");
        _output.WriteLine($"run {run}");
        _output.WriteLine($"well-behaved client: {wellBehaved.Acknowledged} writes acknowledged and notified, {wellBehaved.Requests} requests");
        Assert.True(run.Frames >= target, $"only {run.Frames} bad frames were sent");
        Assert.True(wellBehaved.Acknowledged > 0, "the well-behaved client wrote nothing");

        foreach (var bystander in bystanders)
        {
            Assert.IsType<Pong>(await bystander.SendAsync(new Ping(bystander.NextId())));
            await bystander.DisposeAsync();
        }

        await wellBehaved.DisposeAsync();
        await AwaitAssertAsync(() => Assert.Equal(0, server.Server.ConnectionCount), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        var end = CollectedHeap();
        _output.WriteLine($"managed heap after collection: {baseline / 1024 / 1024} MiB after warm-up, {end / 1024 / 1024} MiB at the end");
        Assert.True(end - baseline < HeapGrowthBound, $"the heap grew from {baseline} to {end} bytes");

        using var http = new HttpClient();
        var health = await http.GetAsync(new Uri(server.Server.HttpUri, "healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    /// <summary>Runs fuzzing connections until <paramref name="target"/> bad frames were sent; throws the first broken expectation.</summary>
    private static async Task<FuzzReport> FuzzAsync(Uri uri, ProtocolLimits limits, int target, int seed)
    {
        var report = new FuzzReport();
        using var stop = new CancellationTokenSource();
        Dialect[] burst = [Dialect.Extended, Dialect.Extended, Dialect.Extended, Dialect.Json, Dialect.Json, Dialect.Json];
        var workers = new List<Task>();
        for (var i = 0; i < burst.Length; i++)
        {
            var fuzzer = new Fuzzer(uri, burst[i], new BadFrames(burst[i], limits, seed * 31 + i), new Random(seed + i), report);
            workers.Add(Guard(() => fuzzer.RunBurstsAsync(() => report.Frames >= target || stop.IsCancellationRequested), stop));
        }

        // G1 closes on every bad frame, so each costs a connection: fewer of them, for as long as the others run.
        for (var i = 0; i < 2; i++)
        {
            var fuzzer = new Fuzzer(uri, Dialect.G1, new BadFrames(Dialect.G1, limits, seed * 31 + 100 + i), new Random(seed + 100 + i), report);
            workers.Add(Guard(() => fuzzer.RunOneByOneAsync(() => report.Frames >= target || stop.IsCancellationRequested), stop));
        }

        await Task.WhenAll(workers);
        return report;
    }

    /// <summary>A failing worker stops the others, so the test fails fast with the first cause.</summary>
    private static async Task Guard(Func<Task> work, CancellationTokenSource stop)
    {
        try
        {
            await work();
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    private static long CollectedHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Counts, shared by the fuzzers of one run.</summary>
    private sealed class FuzzReport
    {
        private int _frames;
        private int _errors;
        private int _connections;
        private int _resets;

        public ConcurrentDictionary<string, int> Kinds { get; } = new();

        public ConcurrentDictionary<WebSocketCloseStatus, int> Closes { get; } = new();

        public int Frames => Volatile.Read(ref _frames);

        public void Sent(BadFrame frame)
        {
            Interlocked.Increment(ref _frames);
            Kinds.AddOrUpdate(frame.Kind, 1, (_, n) => n + 1);
        }

        public void Errors(int count) => Interlocked.Add(ref _errors, count);

        public void Connected() => Interlocked.Increment(ref _connections);

        public void Reset() => Interlocked.Increment(ref _resets);

        public void Closed(WebSocketCloseStatus status) => Closes.AddOrUpdate(status, 1, (_, n) => n + 1);

        public override string ToString() =>
            $"{Frames} bad frames ({string.Join(", ", Kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}), "
            + $"{Volatile.Read(ref _errors)} error replies, {Volatile.Read(ref _connections)} connections, "
            + $"closes: {string.Join(", ", Closes.OrderBy(c => c.Key).Select(c => $"{(int)c.Key} x{c.Value}"))}, {Volatile.Read(ref _resets)} dropped after invalid UTF-8";
    }

    /// <summary>One fuzzing connection at a time, reconnecting after every close.</summary>
    private sealed class Fuzzer(Uri uri, Dialect dialect, BadFrames frames, Random random, FuzzReport report)
    {
        private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);
        private int _sentinel;

        /// <summary>
        /// Extended and JSON: bursts of bad frames then a ping. Exactly one error per bad frame must come back, in
        /// order, then the pong. A burst may end with a frame that closes the connection (oversized, or a text
        /// message that is not UTF-8): then the close code must say why, and the fuzzer reconnects.
        /// </summary>
        public async Task RunBurstsAsync(Func<bool> done)
        {
            var decoder = ClientDecoder();
            while (!done())
            {
                await using var client = await RawClient.ConnectAsync(uri, dialect == Dialect.Json ? Subprotocols.Json : Subprotocols.Extended);
                report.Connected();
                Assert.IsType<Hello>(decoder(await ReceiveAsync(client)));
                while (!done())
                {
                    var burst = NextBurst();
                    foreach (var frame in burst)
                    {
                        await SendAsync(client, frame);
                    }

                    var closing = burst[^1] is { Kind: "oversized" } or { InvalidText: true };
                    var (sentinel, sentinelId) = Sentinel();
                    if (!closing)
                    {
                        await SendAsync(client, sentinel);
                    }

                    var errors = 0;
                    while (await ReceiveOrExplainAsync(client, burst) is { } reply)
                    {
                        var message = decoder(reply);
                        if (message is Error)
                        {
                            errors++;
                            continue;
                        }

                        var pong = Assert.IsType<Pong>(message);
                        Assert.True(pong.Id.Bytes.SequenceEqual(sentinelId), $"a {dialect} pong answered {pong.Id}, not the sentinel");
                        break;
                    }

                    report.Errors(errors);
                    if (!closing)
                    {
                        Assert.True(errors == burst.Count, $"{dialect}: {burst.Count} bad frames got {errors} error replies; kinds {string.Join(",", burst.Select(f => f.Kind))}; close {client.Socket.CloseStatus}");
                        continue;
                    }

                    Assert.True(errors <= burst.Count - 1, $"{dialect}: {burst.Count - 1} bad frames before the closing one got {errors} errors");
                    ExpectClose(client, burst[^1]);
                    break;
                }
            }
        }

        /// <summary>
        /// G1: a bad frame closes the connection (no error frame exists), but a put or remove over a limit is answered
        /// <c>false</c> with its id; each frame gets a connection of its own.
        /// </summary>
        public async Task RunOneByOneAsync(Func<bool> done)
        {
            var g1 = new BinaryClientDecoder(Dialect.G1);
            while (!done())
            {
                await using var client = await RawClient.ConnectAsync(uri);
                report.Connected();
                var frame = random.Next(200) == 0 ? frames.Oversized() : frames.Next();
                var answer = frame.Kind == "oversized" ? null : frames.G1Answer(frame);
                await SendAsync(client, frame);

                // Type 5 pushes of the well-behaved client's puts may come first; anything else is not ours to judge.
                var answered = false;
                while (!answered && await ReceiveOrExplainAsync(client, [frame]) is { } received)
                {
                    answered = answer is not null && g1.Decode(received) is Reply reply && reply == answer;
                }

                if (answered)
                {
                    report.Errors(1);
                    continue;
                }

                Assert.True(answer is null, $"G1: a {frame.Kind} frame owed {answer} but closed the connection with {client.Socket.CloseStatus}");
                ExpectClose(client, frame);
            }
        }

        private List<BadFrame> NextBurst()
        {
            var burst = new List<BadFrame>(BurstSize + 1);
            for (var i = 0; i < BurstSize; i++)
            {
                var frame = frames.Next();
                burst.Add(frame);
                if (frame.InvalidText)
                {
                    // The websocket layer closes at this one: nothing after it would be read.
                    return burst;
                }
            }

            if (random.Next(100) == 0)
            {
                burst.Add(frames.Oversized());
            }

            return burst;
        }

        /// <summary>A ping with an id of its own, sent after a burst: its pong proves every error before it was sent.</summary>
        private (BadFrame Frame, byte[] Id) Sentinel()
        {
            var n = ++_sentinel;
            if (dialect == Dialect.Json)
            {
                using var json = new JsonClientEncoder();
                var id = RequestId.FromString("sentinel-" + n);
                return (new BadFrame(json.Encode(new Ping(id)), Text: true, "sentinel"), id.Bytes.ToArray());
            }

            var binary = new RequestId(MwdbBase64.EncodeInt(n));
            return (new BadFrame(new BinaryClientEncoder(Dialect.Extended).Encode(new Ping(binary)), Text: false, "sentinel"), binary.Bytes.ToArray());
        }

        private async Task SendAsync(RawClient client, BadFrame frame)
        {
            if (frame.Kind != "sentinel")
            {
                report.Sent(frame);
            }

            var type = frame.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            await client.Socket.SendAsync(frame.Bytes, type, endOfMessage: true, CancellationToken.None);
        }

        private void ExpectClose(RawClient client, BadFrame last)
        {
            var status = client.Socket.CloseStatus;
            if (status is null && last.InvalidText)
            {
                report.Reset();
                return;
            }

            Assert.NotNull(status);
            report.Closed(status.Value);
            WebSocketCloseStatus[] allowed = last switch
            {
                { Kind: "oversized" } => [WebSocketCloseStatus.MessageTooBig],
                { InvalidText: true } => [WebSocketCloseStatus.InvalidPayloadData],
                _ when dialect == Dialect.G1 => [WebSocketCloseStatus.ProtocolError],
                _ => [],
            };

            // 1008 is the outbound overflow policy; a fuzzer that reads everything should never see it, but it is a right answer.
            Assert.True(
                allowed.Contains(status.Value) || status == WebSocketCloseStatus.PolicyViolation,
                $"{dialect}: a {last.Kind} frame closed the connection with {(int)status.Value} {status}");
        }

        private Func<byte[], ProtocolMessage> ClientDecoder()
        {
            if (dialect == Dialect.Json)
            {
                var json = new JsonClientDecoder();
                return frame => json.Decode(frame);
            }

            var binary = new BinaryClientDecoder(Dialect.Extended);
            return frame => binary.Decode(frame);
        }

        /// <summary>The next frame or null at the close; a socket that breaks without a close is a failure naming the burst.</summary>
        private async Task<byte[]?> ReceiveOrExplainAsync(RawClient client, List<BadFrame> burst)
        {
            try
            {
                return await client.ReceiveAsync(ReplyTimeout);
            }
            catch (WebSocketException) when (burst[^1].InvalidText)
            {
                // RFC 6455 8.1: invalid UTF-8 fails the websocket connection. The server's websocket layer sends 1007
                // and drops the TCP connection at once, so the close frame may be lost to the reset: both are right.
                return null;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                var last = burst[^1];
                throw new InvalidOperationException(
                    $"{dialect}: the connection broke ({ex.GetType().Name}: {ex.Message}) after a burst of {burst.Count} ending with a {last.Kind} frame "
                    + $"(text {last.Text}, invalid text {last.InvalidText}, {last.Bytes.Length} bytes)",
                    ex);
            }
        }

        private static async Task<byte[]> ReceiveAsync(RawClient client) =>
            await client.ReceiveAsync(ReplyTimeout) ?? throw new InvalidOperationException($"closed with {client.Socket.CloseStatus} before the hello");
    }
}
