using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace MwgActors.LoadGen;

/// <summary>
/// The fanout scenario on Redis pub/sub: one publisher (a ConnectionMultiplexer) PUBLISHes, one at a time,
/// a payload the size of our notification (the batch's keys and values, after an 8-byte sequence number) on
/// one channel that <c>--subscribers</c> raw RESP connections SUBSCRIBE to. Latencies are taken as ours are:
/// <c>put</c> is the PUBLISH round trip, <c>notify</c> runs from the PUBLISH reply to each subscriber's receipt
/// (zero when the message beat the reply), <c>notify-from-send</c> from the PUBLISH's send.
/// </summary>
internal sealed class RedisFanoutBaseline(LoadGenOptions options)
{
    private const string Channel = "fan";
    private const string Prefix = "fan/";
    private readonly KeyPicker _picker = new(options.Keys, options.Distribution);
    private readonly byte[] _value = KeyPicker.Value(options.ValueSize);
    private readonly LiveCounters _live = new();
    private readonly ConcurrentDictionary<long, (long SentAt, long AckedAt)> _published = new();
    private string? _firstError;

    public async Task<LoadGenSummary> RunAsync(TextWriter progress, CancellationToken cancellation)
    {
        var (host, port) = BaselineKinds.RedisEndpoint(options.Redis);
        await using var publisher = await RedisConnections.ConnectAsync(options.Redis, "mwg-loadgen-publisher");
        var durability = await RedisDurability.DescribeAsync(publisher.GetServers()[0]);
        var subscribers = new List<RespSubscriber>();
        try
        {
            // Connect a few dozen at a time: a thousand SYNs at once overflow a listen backlog and cost a retry second.
            using (var gate = new SemaphoreSlim(64))
            {
                subscribers.AddRange(await Task.WhenAll(Enumerable.Range(0, options.Subscribers).Select(async _ =>
                {
                    await gate.WaitAsync(cancellation);
                    try
                    {
                        return await RespSubscriber.ConnectAsync(host, port, Channel, cancellation);
                    }
                    finally
                    {
                        gate.Release();
                    }
                })));
            }

            var stats = new OpStats();
            var phase = "redis warmup";
            using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var progressLoop = Progress.RunAsync(_live, () => phase, progress, stopProgress.Token);
            double seconds;
            long lastSequence = 0;
            try
            {
                var channel = RedisChannel.Literal(Channel);
                var subscriber = publisher.GetSubscriber();
                var random = new Random(1);
                var warmupEnds = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
                var measureFrom = long.MaxValue;
                var measureEnds = long.MaxValue;
                long measured = 0;
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    if (measureFrom == long.MaxValue && now >= warmupEnds)
                    {
                        phase = "redis measure";
                        measureFrom = now;
                        measureEnds = now + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
                    }

                    if (options.Requests is { } limit ? measured >= limit : now >= measureEnds)
                    {
                        break;
                    }

                    cancellation.ThrowIfCancellationRequested();
                    var sequence = lastSequence + 1;
                    var payload = Payload(sequence, random);
                    now = Stopwatch.GetTimestamp();
                    long receivers;
                    try
                    {
                        receivers = await subscriber.PublishAsync(channel, payload);
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        Failed(ex.GetType().Name + ": " + ex.Message);
                        continue;
                    }

                    var acked = Stopwatch.GetTimestamp();
                    lastSequence = sequence;
                    if (receivers != options.Subscribers)
                    {
                        Failed(string.Create(CultureInfo.InvariantCulture, $"PUBLISH reached {receivers} of {options.Subscribers} subscribers"));
                    }

                    _live.Completed(options.Batch);
                    if (now >= measureFrom)
                    {
                        _published[sequence] = (now, acked);
                        stats.Record(Op.Put, (long)Stopwatch.GetElapsedTime(now, acked).TotalMicroseconds, options.Batch);
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

            try
            {
                await Task.WhenAll(subscribers.Select(s => s.CaughtUpAsync(lastSequence))).WaitAsync(TimeSpan.FromSeconds(10), cancellation);
            }
            catch (TimeoutException)
            {
                await progress.WriteLineAsync("redis: some subscribers never saw the last message; their missing receipts are not counted");
            }

            foreach (var s in subscribers)
            {
                await s.DisposeAsync();
            }

            foreach (var s in subscribers)
            {
                foreach (var (sequence, receivedAt) in s.Receipts)
                {
                    if (_published.TryGetValue(sequence, out var sent))
                    {
                        var micros = receivedAt > sent.AckedAt ? (long)Stopwatch.GetElapsedTime(sent.AckedAt, receivedAt).TotalMicroseconds : 0;
                        stats.Record(Op.Notify, micros, 0);
                        stats.Record(Op.NotifySend, (long)Stopwatch.GetElapsedTime(sent.SentAt, receivedAt).TotalMicroseconds, 0);
                    }
                }
            }

            stats.Errors = _live.Errors;
            var settings = string.Create(
                CultureInfo.InvariantCulture,
                $"Redis at {options.Redis} ({durability}), 1 publisher, {options.Subscribers} raw RESP subscribers on '{Channel}', put = PUBLISH of {8 + (options.Batch * (KeyPicker.Key(0, Prefix).Length + options.ValueSize))} B (batch {options.Batch} keys and {options.ValueSize} B values)");
            return LoadGenSummary.From("fanout", settings, seconds, stats, _firstError);
        }
        finally
        {
            foreach (var s in subscribers)
            {
                await s.DisposeAsync();
            }
        }
    }

    private void Failed(string error)
    {
        _live.Failed();
        Interlocked.CompareExchange(ref _firstError, error, null);
    }

    // The sequence number, then the batch's keys and values back to back: the bytes our notification carries.
    private byte[] Payload(long sequence, Random random)
    {
        using var payload = new MemoryStream();
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(head, sequence);
        payload.Write(head);
        for (var i = 0; i < options.Batch; i++)
        {
            payload.Write(KeyPicker.Key(_picker.Next(random), Prefix));
            payload.Write(_value);
        }

        return payload.ToArray();
    }
}
