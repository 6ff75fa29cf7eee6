using System.Net.WebSockets;
using System.Text;
using MwgActors.Protocol;
using Xunit.Abstractions;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// The real server, as a child process with the default durability (<c>wal</c>), is killed with SIGKILL at random
/// moments under write load and restarted on the same data folder. After every restart: each acknowledged put is
/// there with its value, no acknowledged remove came back, and a subscriber that resumes from the last revision it
/// saw receives every revision, with no gap and none twice, up to the store's revision, which covers every
/// acknowledged one. A write in flight at the kill may or may not have happened; either is right, and what the
/// store says after the restart becomes the expectation from then on.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private const int Writers = 3;
    private const int KeysPerWriter = 20;

    private readonly ITestOutputHelper _output;
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mwg-crash-" + Guid.NewGuid().ToString("N"));

    public CrashSafetyTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task Server_killed_under_load_should_keep_every_acknowledged_write_and_resume_subscribers_without_gaps()
    {
        var kills = FuzzSettings.CrashKills;
        var random = new Random(FuzzSettings.Seed);
        _output.WriteLine($"seed {FuzzSettings.Seed} (MWG_SEED), {kills} kills (MWG_CRASH_KILLS), {MwgProcess.MwgDll}");
        var writers = Enumerable.Range(0, Writers).Select(n => new Writer(n, new Random(random.Next()))).ToArray();
        var subscriber = new ResumingSubscriber();

        for (var cycle = 0; cycle <= kills; cycle++)
        {
            await using var server = await MwgProcess.StartServeAsync(_data, new MwgProcessOptions { KeepLines = 200, Bound = TimeSpan.FromSeconds(60) });
            await VerifyAfterRestartAsync(server.Uri, writers, subscriber);
            if (cycle == kills)
            {
                break;
            }

            // Load, then the kill once a random number of batches were acknowledged: mid-request for some writers.
            var live = subscriber.FollowAsync();
            var acknowledgedBefore = writers.Sum(w => w.Acknowledged);
            var killAfter = random.Next(5, 150);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var load = writers.Select(w => w.RunAsync(server.Uri, () =>
            {
                if (writers.Sum(x => x.Acknowledged) - acknowledgedBefore >= killAfter)
                {
                    enough.TrySetResult();
                }
            })).ToArray();

            await Task.WhenAny(Task.WhenAll(load), enough.Task);
            await server.KillAsync();
            await Task.WhenAll(load);
            await live;
            _output.WriteLine($"kill {cycle + 1}: {writers.Sum(w => w.Acknowledged) - acknowledgedBefore} batches acknowledged in this run, "
                + $"{writers.Count(w => w.InFlight is not null)} in flight at the kill, subscriber at revision {subscriber.LastSeen}");
        }

        _output.WriteLine($"{writers.Sum(w => w.Acknowledged)} batches acknowledged in all, {writers.Sum(w => w.Resolved)} writes in flight at a kill resolved after restart, "
            + $"last revision {subscriber.LastSeen}");
        Assert.True(writers.Sum(w => w.Acknowledged) >= kills * 5, "the writers got too little done to prove anything");
    }

    private static async Task VerifyAfterRestartAsync(Uri uri, Writer[] writers, ResumingSubscriber subscriber)
    {
        // Every key every writer ever touched, read back in one get.
        await using (var reader = await ProtocolClient.ConnectAsync(uri))
        {
            var keys = writers.SelectMany(w => w.Keys).ToArray();
            var read = Assert.IsType<GetResult>(await reader.SendAsync(new Get(reader.NextId(), [.. keys.Select(Utf8)])));
            var values = keys.Zip(read.Values, (k, v) => (k, v is null ? null : Text(v))).ToDictionary(p => p.k, p => p.Item2);
            foreach (var writer in writers)
            {
                writer.Verify(values);
            }
        }

        var current = await subscriber.ResumeAsync(uri);
        var acknowledged = writers.SelectMany(w => w.Batches).ToArray();
        Assert.All(acknowledged, batch => Assert.True(batch.Revision <= current, $"acknowledged revision {batch.Revision} is past the store's {current}"));
        Assert.Equal(acknowledged.Length, acknowledged.Select(b => b.Revision).Distinct().Count());
        foreach (var batch in acknowledged)
        {
            subscriber.AssertNotified(batch);
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>One write, as the writer sent it: a key and its new value, or null for a remove.</summary>
    internal readonly record struct Op(string Key, string? Value);

    /// <summary>An acknowledged batch and the revision the server gave it.</summary>
    internal sealed record Batch(long Revision, Op[] Ops);

    /// <summary>
    /// Writes one batch at a time over its own keys (so the order of its batches is the order of its keys' values),
    /// keeping what the server acknowledged and the batch in flight, if any, when the connection died.
    /// </summary>
    private sealed class Writer(int number, Random random)
    {
        private readonly Dictionary<string, string?> _expected = [];
        private readonly List<Batch> _batches = [];
        private int _sequence;

        public IEnumerable<string> Keys => Enumerable.Range(0, KeysPerWriter).Select(k => $"w{number}/{k}");

        public IReadOnlyList<Batch> Batches => _batches;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public int Resolved { get; private set; }

        /// <summary>The batch sent but not acknowledged when the connection ended: it may or may not be in the store.</summary>
        public Op[]? InFlight { get; private set; }

        private int _acknowledged;

        public async Task RunAsync(Uri uri, Action acknowledged)
        {
            ProtocolClient client;
            try
            {
                client = await ProtocolClient.ConnectAsync(uri);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                return;
            }

            await using (client)
            {
                while (true)
                {
                    var ops = NextOps();
                    InFlight = ops;
                    Reply reply;
                    try
                    {
                        Request request = ops[0].Value is null
                            ? new Remove(client.NextId(), [.. ops.Select(o => Utf8(o.Key))])
                            : new Put(client.NextId(), [.. ops.Select(o => new KeyValue(Utf8(o.Key), Utf8(o.Value!)))]);
                        var answered = client.SendAsync(request, TimeSpan.FromSeconds(30));
                        if (await Task.WhenAny(answered, client.Closed) != answered)
                        {
                            return;
                        }

                        reply = await answered;
                    }
                    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        return;
                    }

                    var revision = reply switch
                    {
                        PutResult { Ok: true, Revision: { } r } => r,
                        RemoveResult { Ok: true, Revision: { } r } => r,
                        _ => throw new InvalidOperationException($"writer {number}: unexpected reply {reply}"),
                    };
                    // As etcd: a remove of a key that is absent changes nothing, so it takes no revision and no one is
                    // notified of it. Only this writer touches its keys, so it knows which of its removes change something.
                    var changes = ops.Where(o => o.Value is not null || _expected.GetValueOrDefault(o.Key) is not null).ToArray();
                    if (changes.Length > 0)
                    {
                        _batches.Add(new Batch(revision, changes));
                    }

                    foreach (var op in ops)
                    {
                        _expected[op.Key] = op.Value;
                    }

                    InFlight = null;
                    Interlocked.Increment(ref _acknowledged);
                    acknowledged();
                }
            }
        }

        /// <summary>Checks the store against the acknowledged writes; a batch that was in flight may be there or not, but whole.</summary>
        public void Verify(Dictionary<string, string?> values)
        {
            if (InFlight is { } inFlight)
            {
                var applied = inFlight.All(op => values[op.Key] == op.Value);
                var notApplied = inFlight.All(op => values[op.Key] == _expected.GetValueOrDefault(op.Key));
                Assert.True(applied || notApplied, $"writer {number}: the batch in flight at the kill was applied in part");
                if (applied)
                {
                    foreach (var op in inFlight)
                    {
                        _expected[op.Key] = op.Value;
                    }
                }

                Resolved++;
                InFlight = null;
            }

            foreach (var key in Keys)
            {
                var expected = _expected.GetValueOrDefault(key);
                Assert.True(expected == values[key], $"{key}: expected {expected ?? "(absent)"} after the restart, found {values[key] ?? "(absent)"}");
            }
        }

        private Op[] NextOps()
        {
            var keys = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => $"w{number}/{random.Next(KeysPerWriter)}").Distinct();
            var remove = random.Next(10) < 3;
            return [.. keys.Select(k => new Op(k, remove ? null : $"w{number}.{++_sequence}"))];
        }
    }

    /// <summary>
    /// Subscribes to every key, and after each restart resubscribes from the last revision it saw. Every notification
    /// must be the next revision: the union over all runs is contiguous from 1, with nothing missed and nothing twice.
    /// </summary>
    private sealed class ResumingSubscriber
    {
        private readonly Dictionary<long, Change[]> _seen = [];
        private ProtocolClient? _client;
        private long _subscriptionId;
        private bool _everSubscribed;
        private string? _failure;

        public long LastSeen { get; private set; }

        /// <summary>Resubscribes on the restarted server; returns the store's revision, which the replay must have reached.</summary>
        public async Task<long> ResumeAsync(Uri uri)
        {
            Assert.True(_failure is null, _failure);
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }

            _client = await ProtocolClient.ConnectAsync(uri);
            var since = _everSubscribed ? LastSeen : (long?)null;
            var subscribed = Assert.IsType<Subscribed>(await _client.SendAsync(new Subscribe(_client.NextId(), [[]], since, IncludeValues: true)));
            _everSubscribed = true;
            _subscriptionId = subscribed.SubscriptionId;

            // The replay is pushed before the reply, so it is all queued by now.
            while (_client.Pushes.TryRead(out var push))
            {
                Accept(push);
            }

            Assert.True(_failure is null, _failure);
            Assert.Equal(subscribed.CurrentRevision, LastSeen);
            return subscribed.CurrentRevision;
        }

        /// <summary>Takes the live stream until the connection dies.</summary>
        public async Task FollowAsync()
        {
            var client = _client!;
            await foreach (var push in client.Pushes.ReadAllAsync())
            {
                Accept(push);
            }
        }

        public void AssertNotified(Batch batch)
        {
            Assert.True(_seen.TryGetValue(batch.Revision, out var changes), $"acknowledged revision {batch.Revision} was never notified");
            var expected = batch.Ops.Select(o => (o.Key, o.Value)).OrderBy(o => o.Key, StringComparer.Ordinal);
            var notified = changes.Select(c => (Key: Text(c.Key), Value: c.Removed ? null : Text(c.Value!))).OrderBy(o => o.Key, StringComparer.Ordinal);
            Assert.Equal(expected, notified);
        }

        private void Accept(Push push)
        {
            if (push is not ChangeNotification notification || notification.SubscriptionId != _subscriptionId)
            {
                _failure ??= $"unexpected push {push} at revision {LastSeen}";
                return;
            }

            if (notification.Revision != LastSeen + 1)
            {
                _failure ??= $"revision {notification.Revision} came after {LastSeen}: a gap or a repeat";
                return;
            }

            _seen[notification.Revision] = [.. notification.Changes];
            LastSeen = notification.Revision;
        }
    }
}
