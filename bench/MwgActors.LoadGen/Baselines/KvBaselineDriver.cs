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
    private readonly MeasurementWindow _window;
    private int _loadNext;
    private CancellationToken _cancellation;

    public KvBaselineDriver(LoadGenOptions options, IKvBaseline baseline)
    {
        _options = options;
        _baseline = baseline;
        _window = new MeasurementWindow(options);
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

                var seconds = await _window.MeasureAsync([.. workers.Select(w => w.Task)], () => phase = name + " measure", cancellation);
                var total = OpStats.Sum(workers.Select(w => w.Stats));
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
        // Workers look at the window and the token only: Ctrl-C ends them after the call in progress.
        while (!_window.Closed && !_cancellation.IsCancellationRequested)
        {
            var op = _options.PickOp(random);
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
            if (_window.TryCount(started))
            {
                stats.Record(op, OpStats.MicrosSince(started), _options.Batch);
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
