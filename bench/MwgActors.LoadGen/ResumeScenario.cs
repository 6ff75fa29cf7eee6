using System.Diagnostics;
using System.Globalization;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

/// <summary>
/// The <c>resume</c> scenario: a subscriber subscribes to a fresh prefix, notes the revision it is at and
/// disconnects; a writer then makes <c>--missed</c> puts of <c>--batch</c> new keys each under that prefix,
/// <c>--inflight</c> at a time; the subscriber reconnects and subscribes again with <c>since</c> = its revision, as
/// the .NET client does after a reconnect. Measured: from the resume request's send until every missed revision has
/// arrived (each exactly once), and until the subscribe reply, which the server sends once the replay is done.
/// </summary>
internal sealed class ResumeScenario(LoadGenOptions options)
{
    // A real client waits for its replay as long as it takes; a run that has not caught up by then reports what is missing.
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReplyGrace = TimeSpan.FromSeconds(2);
    private readonly LiveCounters _live = new();
    private readonly byte[] _value = KeyPicker.Value(options.ValueSize);

    // A prefix of its own per run, so earlier runs on the same server are neither replayed nor counted.
    private readonly string _prefix = "resume/" + Guid.NewGuid().ToString("N")[..8] + "/";

    public async Task<LoadGenSummary> RunAsync(TextWriter progress, CancellationToken cancellation)
    {
        var prefix = System.Text.Encoding.ASCII.GetBytes(_prefix);
        var phase = "subscribe";
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var progressLoop = Progress.RunAsync(_live, () => phase, progress, stopProgress.Token);
        try
        {
            var since = await SubscribeAndLeaveAsync(prefix, cancellation);

            phase = "write";
            var stats = new OpStats();
            var revisions = new long?[options.Missed];
            var writeStarted = Stopwatch.GetTimestamp();
            await WriteAsync(revisions, stats, cancellation);
            var writeSeconds = Stopwatch.GetElapsedTime(writeStarted).TotalSeconds;
            var expected = revisions.Where(r => r is not null).Select(r => r!.Value).ToHashSet();
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"wrote {expected.Count} revisions after revision {since} in {writeSeconds:F1} s; resuming"));

            phase = "catch-up";
            var result = await ResumeAsync(prefix, since, expected, writeSeconds, cancellation);
            stats.Errors = _live.Errors + result.Missing + result.Duplicates + result.Unexpected;
            var firstError = result switch
            {
                { ReloadAll: true } => "RELOAD_ALL instead of the missed changes (resume point outside the retained history, or an outbound overflow)",
                { Missing: > 0 } => string.Create(CultureInfo.InvariantCulture, $"{result.Missing} missed revisions never arrived"),
                { Duplicates: > 0 } => string.Create(CultureInfo.InvariantCulture, $"{result.Duplicates} revisions arrived twice"),
                { Unexpected: > 0 } => string.Create(CultureInfo.InvariantCulture, $"{result.Unexpected} revisions arrived that no put made"),
                _ => _live.FirstError,
            };
            var settings = string.Create(CultureInfo.InvariantCulture, $"{options.Missed} missed puts of {options.Batch} keys, {options.InFlight} in flight, {options.ValueSize} B values, {(options.Dialect == Dialect.Json ? "json" : "binary")}");
            return LoadGenSummary.From("resume", settings, writeSeconds, stats, firstError) with { Resume = result };
        }
        finally
        {
            await stopProgress.CancelAsync();
            await progressLoop;
        }
    }

    /// <summary>Subscribes from now, returns the revision the subscription starts after, and disconnects.</summary>
    private async Task<long> SubscribeAndLeaveAsync(byte[] prefix, CancellationToken cancellation)
    {
        await using var subscriber = await LoadConnection.ConnectAsync(options.Url, options.Dialect, cancellation);
        var reply = await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [prefix], null, IncludeValues: true), cancellation);
        return reply is Subscribed subscribed
            ? subscribed.CurrentRevision
            : throw new InvalidOperationException("the first subscribe was refused: " + Describe(reply));
    }

    private async Task WriteAsync(long?[] revisions, OpStats stats, CancellationToken cancellation)
    {
        await using var writer = await LoadConnection.ConnectAsync(options.Url, options.Dialect, cancellation);
        var next = -1;
        var workers = Enumerable.Range(0, options.InFlight).Select(_ => Task.Run(
            async () =>
            {
                var own = new OpStats();
                int put;
                while ((put = Interlocked.Increment(ref next)) < revisions.Length)
                {
                    var pairs = new KeyValue[options.Batch];
                    for (var k = 0; k < pairs.Length; k++)
                    {
                        pairs[k] = new KeyValue(KeyPicker.Key((put * options.Batch) + k, _prefix), _value);
                    }

                    var started = Stopwatch.GetTimestamp();
                    var reply = await writer.SendAsync(new Put(writer.NextId(), pairs), cancellation);
                    if (reply is PutResult { Ok: true, Revision: { } revision })
                    {
                        own.Record(Op.Put, OpStats.MicrosSince(started), options.Batch);
                        revisions[put] = revision;
                        _live.Completed(options.Batch);
                    }
                    else
                    {
                        _live.Failed(reply);
                    }
                }

                return own;
            },
            cancellation)).ToList();
        foreach (var own in await Task.WhenAll(workers))
        {
            stats.Add(own);
        }
    }

    private async Task<ResumeResult> ResumeAsync(byte[] prefix, long since, HashSet<long> expected, double writeSeconds, CancellationToken cancellation)
    {
        var subscriber = await LoadConnection.ConnectAsync(options.Url, options.Dialect, cancellation);
        var collector = new Collector(expected, _live);
        var collecting = Task.Run(() => collector.RunAsync(subscriber), cancellation);
        var sent = Stopwatch.GetTimestamp();
        double? replyMs = null;
        Reply? reply = null;
        try
        {
            var replying = subscriber.SendAsync(new Subscribe(subscriber.NextId(), [prefix], since, IncludeValues: true), cancellation)
                .ContinueWith(
                    t =>
                    {
                        replyMs = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                        return t;
                    },
                    TaskScheduler.Default)
                .Unwrap();
            // The server replies once the replay is done: what has not come shortly after the reply is missing.
            var replyThenGrace = replying.ContinueWith(_ => Task.Delay(ReplyGrace, cancellation), TaskScheduler.Default).Unwrap();
            try
            {
                await Task.WhenAny(Task.WhenAll(collector.Done, replying), replyThenGrace).WaitAsync(CatchUpLimit, cancellation);
            }
            catch (TimeoutException)
            {
                // Neither caught up nor answered in time: what is missing says so.
            }

            if (replying.IsCompletedSuccessfully)
            {
                reply = await replying;
            }
        }
        finally
        {
            // Closing ends the push stream; whatever arrived before still counts (late duplicates too).
            await subscriber.DisposeAsync();
            await collecting;
        }

        if (reply is not null and not Subscribed)
        {
            _live.Failed(reply);
        }

        var missedChanges = expected.Count * (long)options.Batch;
        return new ResumeResult(
            since,
            expected.Count == 0 ? since : expected.Max(),
            expected.Count,
            missedChanges,
            collector.ReceivedExpected,
            collector.Changes,
            expected.Count - collector.ReceivedExpected,
            collector.Duplicates,
            collector.Unexpected,
            collector.ReloadAll,
            writeSeconds,
            replyMs,
            collector.CaughtUpAt is { } at ? Stopwatch.GetElapsedTime(sent, at).TotalMilliseconds : null,
            collector.FirstMissing(10));
    }

    private static string Describe(Reply reply) => reply is Error error ? $"{error.Code}: {error.Reason}" : reply.GetType().Name;

    /// <summary>Counts the resumed subscription's notifications against the revisions the writer made.</summary>
    private sealed class Collector(HashSet<long> expected, LiveCounters live)
    {
        private readonly HashSet<long> _seen = [];
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once every expected revision arrived, or a reload-all came instead.</summary>
        public Task Done => _done.Task;

        public long ReceivedExpected { get; private set; }

        public long Changes { get; private set; }

        public long Duplicates { get; private set; }

        public long Unexpected { get; private set; }

        public bool ReloadAll { get; private set; }

        /// <summary>The lowest expected revisions that never arrived, at most <paramref name="count"/>.</summary>
        public long[] FirstMissing(int count) => [.. expected.Where(r => !_seen.Contains(r)).Order().Take(count)];

        /// <summary>Receipt timestamp of the notification that completed the set.</summary>
        public long? CaughtUpAt { get; private set; }

        public async Task RunAsync(LoadConnection subscriber)
        {
            if (expected.Count == 0)
            {
                _done.TrySetResult();
            }

            await foreach (var (push, receivedAt) in subscriber.Pushes.ReadAllAsync())
            {
                switch (push)
                {
                    case ChangeNotification notification:
                        Changes += notification.Changes.Count;
                        live.Completed(notification.Changes.Count);
                        if (!_seen.Add(notification.Revision))
                        {
                            Duplicates++;
                        }
                        else if (!expected.Contains(notification.Revision))
                        {
                            Unexpected++;
                        }
                        else if (++ReceivedExpected == expected.Count)
                        {
                            CaughtUpAt = receivedAt;
                            _done.TrySetResult();
                        }

                        break;
                    case Protocol.ReloadAll:
                        ReloadAll = true;
                        _done.TrySetResult();
                        break;
                }
            }

            _done.TrySetResult();
        }
    }
}
