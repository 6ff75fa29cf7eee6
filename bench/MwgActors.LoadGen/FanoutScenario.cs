using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

/// <summary>
/// The <c>fanout</c> scenario: one writer puts batches under <c>fan/</c> while <c>--subscribers</c>
/// connections watch that prefix. Notify latency runs from the put's ack (by revision) to each subscriber's
/// receipt of the change; a receipt that beats the ack counts as zero.
/// </summary>
internal sealed class FanoutScenario
{
    private const string Prefix = "fan/";
    private readonly LoadGenOptions _options;
    private readonly KeyPicker _picker;
    private readonly byte[] _value;
    private readonly LiveCounters _live = new();
    private readonly ConcurrentDictionary<long, (long SentAt, long AckedAt)> _puts = new();
    private long _lastRevision = long.MaxValue;

    public FanoutScenario(LoadGenOptions options)
    {
        _options = options;
        _picker = new KeyPicker(options.Keys, options.Distribution);
        _value = KeyPicker.Value(options.ValueSize);
    }

    public async Task<LoadGenSummary> RunAsync(TextWriter progress, CancellationToken cancellation)
    {
        var subscribers = await Connections.OpenAsync(_options, _options.Subscribers, cancellation);
        var writer = await LoadConnection.ConnectAsync(_options.Url, _options.Dialect, cancellation);
        try
        {
            foreach (var subscriber in subscribers)
            {
                var reply = await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [System.Text.Encoding.ASCII.GetBytes(Prefix)], null, IncludeValues: true), cancellation);
                if (reply is not Subscribed)
                {
                    throw new InvalidOperationException("a subscriber was refused");
                }
            }

            var collectors = subscribers.Select(s => new Collector(this, s)).ToList();
            var receipts = collectors.Select(c => Task.Run(c.RunAsync, cancellation)).ToList();
            long lastRevision = 0;
            var phase = "warmup";
            using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var progressLoop = Progress.RunAsync(_live, () => phase, progress, stopProgress.Token);
            var stats = new OpStats();
            double seconds;
            long measureFrom;
            try
            {
                var random = new Random(1);
                var warmupEnds = Stopwatch.GetTimestamp() + (long)(_options.Warmup.TotalSeconds * Stopwatch.Frequency);
                measureFrom = long.MaxValue;
                long measured = 0;
                var measureEnds = long.MaxValue;
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (measureFrom == long.MaxValue && now >= warmupEnds)
                    {
                        phase = "measure";
                        measureFrom = now;
                        measureEnds = now + (long)(_options.Duration.TotalSeconds * Stopwatch.Frequency);
                    }

                    if (_options.Requests is { } limit ? measured >= limit : now >= measureEnds)
                    {
                        break;
                    }

                    var pairs = new KeyValue[_options.Batch];
                    for (var i = 0; i < pairs.Length; i++)
                    {
                        pairs[i] = new KeyValue(KeyPicker.Key(_picker.Next(random), Prefix), _value);
                    }

                    var reply = await writer.SendAsync(new Put(writer.NextId(), pairs), cancellation);
                    var acked = Stopwatch.GetTimestamp();
                    if (reply is not PutResult { Ok: true, Revision: { } revision })
                    {
                        _live.Failed(reply);
                        continue;
                    }

                    _live.Completed(_options.Batch);
                    lastRevision = Math.Max(lastRevision, revision);
                    if (now >= measureFrom)
                    {
                        _puts[revision] = (now, acked);
                        stats.Record(Op.Put, (long)Stopwatch.GetElapsedTime(now, acked).TotalMicroseconds, _options.Batch);
                        measured++;
                    }
                }

                seconds = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;
            }
            finally
            {
                await stopProgress.CancelAsync();
                await progressLoop;
            }

            // Wait (a bounded time) until every subscriber saw the last revision, then stop the collectors by closing.
            Interlocked.Exchange(ref _lastRevision, lastRevision);
            foreach (var collector in collectors)
            {
                collector.CheckCaughtUp();
            }

            try
            {
                await Task.WhenAll(collectors.Select(c => c.CaughtUp)).WaitAsync(TimeSpan.FromSeconds(10), cancellation);
            }
            catch (TimeoutException)
            {
                await progress.WriteLineAsync("some subscribers never saw the last put; their missing notifications are not counted");
            }

            await Connections.CloseAsync(subscribers);
            foreach (var receipt in await Task.WhenAll(receipts))
            {
                foreach (var (revision, receivedAt) in receipt)
                {
                    if (_puts.TryGetValue(revision, out var put))
                    {
                        var micros = receivedAt > put.AckedAt ? (long)Stopwatch.GetElapsedTime(put.AckedAt, receivedAt).TotalMicroseconds : 0;
                        stats.Record(Op.Notify, micros, 0);
                        stats.Record(Op.NotifySend, (long)Stopwatch.GetElapsedTime(put.SentAt, receivedAt).TotalMicroseconds, 0);
                    }
                }
            }

            stats.Errors = _live.Errors;
            return LoadGenSummary.From("fanout", string.Create(CultureInfo.InvariantCulture, $"1 writer, {_options.Subscribers} subscribers on '{Prefix}', batch {_options.Batch}, {_options.ValueSize} B values, {_options.Keys} keys"), seconds, stats, _live.FirstError);
        }
        finally
        {
            await writer.DisposeAsync();
            await Connections.CloseAsync(subscribers);
        }
    }

    /// <summary>Records one subscriber's notifications and says when it has seen the writer's last revision.</summary>
    private sealed class Collector(FanoutScenario scenario, LoadConnection subscriber)
    {
        private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _maxSeen;

        public Task CaughtUp => _caughtUp.Task;

        // Both sides write their fact with a full fence then read the other's, so one of them completes it.
        public void CheckCaughtUp()
        {
            if (Interlocked.Read(ref _maxSeen) >= Interlocked.Read(ref scenario._lastRevision))
            {
                _caughtUp.TrySetResult();
            }
        }

        public async Task<List<(long Revision, long ReceivedAt)>> RunAsync()
        {
            var receipts = new List<(long, long)>();
            await foreach (var (push, receivedAt) in subscriber.Pushes.ReadAllAsync())
            {
                if (push is ChangeNotification notification)
                {
                    receipts.Add((notification.Revision, receivedAt));
                    Interlocked.Exchange(ref _maxSeen, Math.Max(Interlocked.Read(ref _maxSeen), notification.Revision));
                    CheckCaughtUp();
                }
            }

            return receipts;
        }
    }
}
