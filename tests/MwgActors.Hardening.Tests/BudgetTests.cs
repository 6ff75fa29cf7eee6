using System.Diagnostics;
using System.Net;
using System.Text;
using MwgActors.Protocol;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// Issue 14's budget test: the real server as a process under a 1 GiB managed heap limit, with authentication on and
/// every budget at its default, replays findings 1, 2 and 4 at full strength from a narrow token (read, write and
/// subscribe on <c>alice/</c> only), while a bystander with its own token puts and reads back keys under <c>bob/</c>.
/// The attacker may be refused in any way (an error of any budget code, a refused or closed connection); what must
/// hold during and after every phase is: the process is alive, <c>/healthz</c> answers 200, the bystander's round trips
/// keep completing; and at the end every acknowledged write, the bystander's and the attacker's, reads back.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class BudgetTests : IDisposable
{
    private const string AttackerKey = "attacker-key-0123456789abcdef";
    private const string BystanderKey = "bystander-key-0123456789abcdef";
    private const string HeapHardLimit = "0x40000000";

    // The store an attacker fills first: 64 values of the largest size under alice/ (64 MiB), finding 4's listings
    // read from it and finding 2's gets name its keys.
    private const int BigValues = 64;

    // Finding 1: connections, each sending the most subscriptions a connection may hold, each with 4,000 distinct
    // prefixes of about 1 KB, which fills a frame just under the 4 MiB default.
    private const int SubscribeConnections = 4;
    private const int PrefixesPerSubscription = 4000;
    private const int PrefixBytes = 1000;

    // Finding 2: connections at once, each sending one get that names one 1 MiB key 4,096 times and one that names
    // each of the 64 1 MiB keys 64 times; the whole repeated a few times.
    private const int GetConnections = 8;
    private const int GetRounds = 3;

    // Finding 4: raw HTTP clients that ask for a listing and never read, held for this long in all, in waves.
    private const int StalledListings = 40;
    private const int StallWaves = 3;
    private static readonly TimeSpan StallHold = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // How long one attack phase may take at most: a server within its budgets refuses in seconds; this keeps the test
    // bounded when it does not.
    private static readonly TimeSpan PhaseBound = TimeSpan.FromSeconds(120);

    private static readonly string Config = $$"""
        mwg.auth {
          enabled = on
          api-keys = [
            { key = "{{AttackerKey}}", subject = "attacker", read = ["alice/"], write = ["alice/"], subscribe = ["alice/"] }
            { key = "{{BystanderKey}}", subject = "bystander", read = ["bob/"], write = ["bob/"], subscribe = ["bob/"], lock = ["bob/"], reload = ["bob/"] }
          ]
        }
        """;

    private readonly ITestOutputHelper _output;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mwg-budget-" + Guid.NewGuid().ToString("N"));
    private readonly OutOfMemoryWatch _outOfMemory = new();

    public BudgetTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_root);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Narrow_token_attacks_at_full_strength_should_leave_the_server_up_and_every_acknowledged_write_readable()
    {
        var configPath = Path.Combine(_root, "mwg.conf");
        await File.WriteAllTextAsync(configPath, Config);
        var environment = new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = HeapHardLimit };
        // The last 200 lines of each stream are kept: they say why the server died, and a logging storm must not grow the test.
        var options = new MwgProcessOptions { Environment = environment, KeepLines = 200, OnLine = _outOfMemory.Observe, Bound = TimeSpan.FromSeconds(60) };
        await using var server = await MwgProcess.StartServeAsync(Path.Combine(_root, "data"), options, "--config", configPath);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Uri.Port}/"), Timeout = Bound };
        _output.WriteLine($"mwg serve (pid {server.Id}) on {server.Uri}, DOTNET_GCHeapHardLimit={HeapHardLimit}, default budgets; {server.MemoryReport()}");

        await using var bystander = await Bystander.StartAsync(server.Uri, BystanderKey);
        var attackerWrites = await WriteAttackerStoreAsync(server.Uri);
        await AssertAttackerMayDoEachInTheSmallAsync(server.Uri, http);
        await AssertServerUpAsync("setup", server, http, bystander);
        _output.WriteLine($"setup: the attacker wrote {attackerWrites.Count} values of {ProtocolLimits.DefaultMaxValueBytes} bytes; {server.MemoryReport()}");

        // The flood's subscriptions stay open to the end, as an attacker's would.
        var subscribers = new List<AttackerConnection>();
        try
        {
            await PhaseAsync("finding 1, subscribe flood", server, http, bystander, tally => SubscribeFloodAsync(server.Uri, tally, subscribers));
            await PhaseAsync("finding 2, duplicate gets", server, http, bystander, tally => DuplicateGetsAsync(server.Uri, tally));
            await PhaseAsync("finding 4, stalled listings", server, http, bystander, tally => StalledListingsAsync(server.Uri, tally));
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }
        }

        await AssertServerUpAsync("end", server, http, bystander);
        await bystander.StopAsync();
        await bystander.VerifyAcknowledgedAsync(server.Uri, BystanderKey);
        await VerifyAttackerStoreAsync(server.Uri, attackerWrites);
        _output.WriteLine($"end: {bystander.RoundTrips} bystander round trips in all, its writes and the attacker's {attackerWrites.Count} read back; {server.MemoryReport()}");
        AssertAlive("end", server);
    }

    /// <summary>Runs one attack while watching the server, then checks it is up and prints what happened.</summary>
    private async Task PhaseAsync(string phase, MwgProcess server, HttpClient http, Bystander bystander, Func<AttackTally, Task> attack)
    {
        var tally = new AttackTally();
        var before = bystander.RoundTrips;
        var clock = Stopwatch.StartNew();
        var attacking = Task.Run(() => attack(tally));
        var (checks, failure) = await WatchAsync(attacking, server, http, bystander);
        var finished = attacking.IsCompleted;
        _output.WriteLine($"{phase}: {clock.Elapsed.TotalSeconds:0.0} s; the attacker got {tally}; during it the bystander made "
            + $"{bystander.RoundTrips - before} round trips and /healthz was checked {checks} times; {server.MemoryReport()}");

        AssertAlive(phase, server);
        Assert.True(failure is null, $"{phase}: while under attack, {failure}");
        Assert.True(finished, $"{phase}: the attack was still not answered after {PhaseBound.TotalSeconds:0} s ({tally})");
        await attacking;
        tally.AssertAnswersAcceptable(phase);
        await AssertServerUpAsync(phase, server, http, bystander);
    }

    /// <summary>
    /// Until the attack ends (or the phase's bound passes): the process alive, /healthz 200, one more bystander round trip.
    /// Returns how many times that held, and the first failure, if any.
    /// </summary>
    private static async Task<(int Checks, string? Failure)> WatchAsync(Task attack, MwgProcess server, HttpClient http, Bystander bystander)
    {
        var checks = 0;
        var clock = Stopwatch.StartNew();
        while (!attack.IsCompleted && clock.Elapsed < PhaseBound)
        {
            if (server.HasExited)
            {
                return (checks, server.ExitReport);
            }

            if (await HealthAsync(http) is { } unhealthy)
            {
                return (checks, unhealthy);
            }

            try
            {
                await bystander.AwaitRoundTripsAsync(1);
            }
            catch (XunitException ex)
            {
                return (checks, ex.Message);
            }

            checks++;
        }

        return (checks, null);
    }

    private async Task AssertServerUpAsync(string phase, MwgProcess server, HttpClient http, Bystander bystander)
    {
        AssertAlive(phase, server);
        var unhealthy = await HealthAsync(http);
        Assert.True(unhealthy is null, $"{phase}: {unhealthy}");
        await bystander.AwaitRoundTripsAsync(3);
    }

    /// <summary>The process runs and never ran out of memory (an actor may survive an OutOfMemoryException; a budget would have refused first).</summary>
    private void AssertAlive(string phase, MwgProcess server)
    {
        Assert.False(server.HasExited, $"{phase}: {server.ExitReport}");
        Assert.True(_outOfMemory.Count == 0, $"{phase}: the server logged {_outOfMemory.Count} lines naming an OutOfMemoryException: "
            + $"it paid for an attack before checking a budget. The first: {_outOfMemory.First}");
    }

    /// <summary>Null when /healthz answers 200, else what it did.</summary>
    private static async Task<string?> HealthAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("healthz");
            return response.StatusCode == HttpStatusCode.OK ? null : $"/healthz answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return $"/healthz failed: {ex.GetType().Name} {ex.Message}";
        }
    }

    /// <summary>Finding 1: each connection sends up to the maximum number of subscriptions, each of 4,000 distinct ~1 KB prefixes.</summary>
    private static async Task SubscribeFloodAsync(Uri uri, AttackTally tally, List<AttackerConnection> keep)
    {
        var connections = await Task.WhenAll(Enumerable.Range(0, SubscribeConnections).Select(_ => AttackerConnection.ConnectAsync(uri, AttackerKey, tally)));
        lock (keep)
        {
            keep.AddRange(connections.OfType<AttackerConnection>());
        }

        await Task.WhenAll(connections.Select((connection, n) => connection is null ? Task.CompletedTask : Task.Run(async () =>
        {
            for (var s = 0; s < ProtocolLimits.DefaultMaxSubscriptionsPerConnection && connection.Open; s++)
            {
                await connection.SendAsync(new Subscribe(connection.NextId(), DistinctPrefixes(n, s), SinceRevision: null, IncludeValues: false));
            }
        })));
    }

    /// <summary>Finding 2: gets that name 1 MiB values thousands of times, from several connections at once, a few times over.</summary>
    private static async Task DuplicateGetsAsync(Uri uri, AttackTally tally)
    {
        var oneKey = Enumerable.Repeat(BigKey(0), ProtocolLimits.DefaultMaxKeysPerBatch).ToArray();
        var everyKey = Enumerable.Range(0, ProtocolLimits.DefaultMaxKeysPerBatch).Select(i => BigKey(i % BigValues)).ToArray();
        for (var round = 0; round < GetRounds; round++)
        {
            var connections = await Task.WhenAll(Enumerable.Range(0, GetConnections).Select(_ => AttackerConnection.ConnectAsync(uri, AttackerKey, tally)));
            await Task.WhenAll(connections.OfType<AttackerConnection>().Select(connection => Task.Run(async () =>
            {
                await connection.SendAsync(new Get(connection.NextId(), oneKey));
                await connection.SendAsync(new Get(connection.NextId(), everyKey));
            })));
            foreach (var connection in connections.OfType<AttackerConnection>())
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Finding 4: listings of the attacker's 64 MiB that are never read, 40 at a time. A new wave replaces the previous
    /// one every few seconds, as a persistent attacker would, so a server that only drops slow responses after a grace
    /// period (Kestrel's default minimum data rate) is stalled again at once.
    /// </summary>
    private static async Task StalledListingsAsync(Uri uri, AttackTally tally)
    {
        StalledListing?[] wave = [];
        try
        {
            for (var w = 0; w < StallWaves; w++)
            {
                var next = await Task.WhenAll(Enumerable.Range(0, StalledListings).Select(_ => StalledListing.StartAsync(uri, AttackerKey, "alice/", tally)));
                Dispose(wave);
                wave = next;

                // Not a wait for a condition: holding the stalled clients is the attack, and this is how long it lasts.
                await Task.Delay(StallHold / StallWaves);
            }
        }
        finally
        {
            Dispose(wave);
        }

        static void Dispose(StalledListing?[] listings)
        {
            foreach (var listing in listings)
            {
                listing?.Dispose();
            }
        }
    }

    /// <summary>The attacker's store, every put acknowledged (on a fresh server a legitimate 1 MiB put must be accepted).</summary>
    /// <remarks>Returns the acknowledged keys' numbers only: values are rebuilt to compare, so the test holds no 64 MiB.</remarks>
    private static async Task<List<int>> WriteAttackerStoreAsync(Uri uri)
    {
        var tally = new AttackTally();
        var written = new List<int>();
        await using var attacker = await AttackerConnection.ConnectAsync(uri, AttackerKey, tally) ?? throw new InvalidOperationException("the attacker could not connect");
        for (var i = 0; i < BigValues; i++)
        {
            var reply = await attacker.SendAsync(new Put(attacker.NextId(), [new KeyValue(BigKey(i), BigValue(i))]));
            Assert.True(reply is PutResult { Ok: true }, $"setup: the put of {Text(BigKey(i))} got {tally}");
            written.Add(i);
        }

        return written;
    }

    /// <summary>Each attack in the small is allowed to the token, so a refusal at full strength is a budget, not a right.</summary>
    private static async Task AssertAttackerMayDoEachInTheSmallAsync(Uri uri, HttpClient http)
    {
        var tally = new AttackTally();
        await using (var attacker = await AttackerConnection.ConnectAsync(uri, AttackerKey, tally) ?? throw new InvalidOperationException("the attacker could not connect"))
        {
            var subscribed = await attacker.SendAsync(new Subscribe(attacker.NextId(), [Utf8("alice/small")], SinceRevision: null, IncludeValues: false));
            Assert.True(subscribed is Subscribed, $"setup: a one-prefix subscribe got {tally}");
            Assert.True(await attacker.SendAsync(new Unsubscribe(attacker.NextId(), ((Subscribed)subscribed).SubscriptionId)) is Unsubscribed, $"setup: {tally}");
            var got = await attacker.SendAsync(new Get(attacker.NextId(), [BigKey(0)]));
            Assert.True(got is GetResult { Values: [{ } value] } && value.AsSpan().SequenceEqual(BigValue(0)), $"setup: a one-key get got {tally}");
        }

        using var listing = new HttpRequestMessage(HttpMethod.Get, "keys?prefix=alice%2F&limit=1");
        listing.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AttackerKey);
        using var listed = await http.SendAsync(listing);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(Text(BigKey(0)), await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Every value the attacker's puts were acknowledged for reads back whole, one key per get.</summary>
    private static async Task VerifyAttackerStoreAsync(Uri uri, List<int> written)
    {
        var tally = new AttackTally();
        await using var reader = await AttackerConnection.ConnectAsync(uri, AttackerKey, tally) ?? throw new InvalidOperationException("the attacker could not connect after the attacks");
        foreach (var i in written)
        {
            var reply = await reader.SendAsync(new Get(reader.NextId(), [BigKey(i)]));
            Assert.True(reply is GetResult { Values: [{ } got] } && got.AsSpan().SequenceEqual(BigValue(i)), $"end: {Text(BigKey(i))} does not read back as acknowledged ({tally})");
        }
    }

    /// <summary>Prefixes under alice/ that differ from their 20th byte on, so none shares a path with another past it.</summary>
    private static byte[][] DistinctPrefixes(int connection, int subscription)
    {
        var prefixes = new byte[PrefixesPerSubscription][];
        for (var i = 0; i < prefixes.Length; i++)
        {
            var prefix = new byte[PrefixBytes];
            prefix.AsSpan().Fill((byte)'p');
            Encoding.ASCII.GetBytes($"alice/{connection:D2}.{subscription:D2}.{i:D4}.", prefix);
            prefixes[i] = prefix;
        }

        return prefixes;
    }

    private static byte[] BigKey(int i) => Utf8($"alice/big/{i:D2}");

    /// <summary>The largest value a put may carry, named after its key, padded with characters JSON escapes (6 bytes each in a listing).</summary>
    private static byte[] BigValue(int i)
    {
        var value = new byte[ProtocolLimits.DefaultMaxValueBytes];
        const string pad = "<&>'\"";
        for (var b = 0; b < value.Length; b++)
        {
            value[b] = (byte)pad[b % pad.Length];
        }

        Encoding.ASCII.GetBytes($"alice/big/{i:D2}=", value);
        return value;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
