using System.Diagnostics;
using System.Globalization;

namespace MwgActors.LoadGen;

/// <summary>
/// Runs the kv scenario's op mix on a baseline with the same timing rules as <see cref="KvScenario"/>:
/// <c>--clients</c> clients with <c>--inflight</c> workers each, the same seeds (so the same key sequences),
/// the same preload in batches of 256, warmup, then a duration or an exact request count.
/// </summary>
internal sealed class KvBaselineDriver
{
    private const int LoadBatch = 256;
    private readonly LoadGenOptions _options;
    private readonly IKvBaseline _baseline;
    private readonly KeyPicker _picker;
    private readonly byte[] _value;
    private readonly LiveCounters _live = new();
    private string? _firstError;
    private long _measureFrom = long.MaxValue;
    private long _remaining = long.MaxValue;
    private volatile bool _stopping;
    private int _loadNext;
    private CancellationToken _cancellation;

    public KvBaselineDriver(LoadGenOptions options, IKvBaseline baseline)
    {
        _options = options;
        _baseline = baseline;
        _picker = new KeyPicker(options.Keys, options.Distribution);
        _value = KeyPicker.Value(options.ValueSize);
    }

    public async Task<LoadGenSummary> RunAsync(string name, TextWriter progress, CancellationToken cancellation)
    {
        _cancellation = cancellation;
        var clients = new List<IKvBaselineClient>();
        try
        {
            for (var i = 0; i < _options.Clients; i++)
            {
                clients.Add(await _baseline.ConnectAsync(cancellation));
            }

            var phase = name + " load";
            using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var progressLoop = Progress.RunAsync(_live, () => phase, progress, stopProgress.Token);
            try
            {
                if (_options.Load > 0)
                {
                    var loadStarted = Stopwatch.GetTimestamp();
                    await Task.WhenAll(clients.SelectMany(c => Enumerable.Repeat(c, _options.InFlight)).Select(c => StartWorker(() => LoadAsync(c))));
                    await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{name}: loaded {_options.Load} keys in {Stopwatch.GetElapsedTime(loadStarted).TotalSeconds:F1} s"));
                }

                phase = name + " warmup";
                var workers = new List<(Task Task, OpStats Stats)>();
                var seed = 1;
                foreach (var client in clients)
                {
                    for (var i = 0; i < _options.InFlight; i++)
                    {
                        var stats = new OpStats();
                        var random = new Random(seed++);
                        workers.Add((StartWorker(() => WorkAsync(client, stats, random)), stats));
                    }
                }

                await Task.Delay(_options.Warmup, cancellation);
                phase = name + " measure";
                var from = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref _remaining, _options.Requests ?? long.MaxValue);
                Interlocked.Exchange(ref _measureFrom, from);
                if (_options.Requests is null)
                {
                    await Task.WhenAny(Task.Delay(_options.Duration, cancellation), Task.WhenAll(workers.Select(w => w.Task)));
                    _stopping = true;
                }

                await Task.WhenAll(workers.Select(w => w.Task));
                var seconds = Stopwatch.GetElapsedTime(from).TotalSeconds;
                var total = new OpStats();
                foreach (var (_, stats) in workers)
                {
                    total.Add(stats);
                }

                total.Errors = _live.Errors;
                cancellation.ThrowIfCancellationRequested();
                return LoadGenSummary.From("kv", _baseline.Describe, seconds, total, _firstError);
            }
            finally
            {
                await stopProgress.CancelAsync();
                await progressLoop;
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    // A blocking baseline gets a thread per worker; an async one starts on the pool like ours.
    private Task StartWorker(Func<Task> work) =>
        _baseline.Blocking
            ? Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()
            : Task.Run(work);

    private async Task LoadAsync(IKvBaselineClient client)
    {
        int start;
        while ((start = Interlocked.Add(ref _loadNext, LoadBatch) - LoadBatch) < _options.Load && !_cancellation.IsCancellationRequested)
        {
            var count = Math.Min(LoadBatch, _options.Load - start);
            var keys = new byte[count][];
            for (var k = 0; k < count; k++)
            {
                keys[k] = KeyPicker.Key(start + k);
            }

            if (await TryExecuteAsync(client, Op.Put, keys))
            {
                _live.Completed(count);
            }
        }
    }

    private async Task WorkAsync(IKvBaselineClient client, OpStats stats, Random random)
    {
        var weightSum = _options.GetWeight + _options.PutWeight + _options.RemoveWeight;
        // Workers look at the flag and the token only: Ctrl-C ends them after the call in progress.
        while (!_stopping && !_cancellation.IsCancellationRequested)
        {
            var roll = random.Next(weightSum);
            var op = roll < _options.GetWeight ? Op.Get : roll < _options.GetWeight + _options.PutWeight ? Op.Put : Op.Remove;
            var keys = new byte[_options.Batch][];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = KeyPicker.Key(_picker.Next(random));
            }

            var started = Stopwatch.GetTimestamp();
            if (!await TryExecuteAsync(client, op, keys))
            {
                continue;
            }

            _live.Completed(_options.Batch);
            if (started >= Interlocked.Read(ref _measureFrom) && !_stopping)
            {
                var left = Interlocked.Decrement(ref _remaining);
                if (left >= 0)
                {
                    stats.Record(op, OpStats.MicrosSince(started), _options.Batch);
                }

                if (left <= 0)
                {
                    _stopping = true;
                }
            }
        }
    }

    private async Task<bool> TryExecuteAsync(IKvBaselineClient client, Op op, byte[][] keys)
    {
        try
        {
            await client.ExecuteAsync(op, keys, _value);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An engine or network failure counts as an error, like an error reply of ours; the worker goes on.
            _live.Failed();
            Interlocked.CompareExchange(ref _firstError, ex.GetType().Name + ": " + ex.Message, null);
            return false;
        }
    }
}
