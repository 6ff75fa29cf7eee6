using System.Diagnostics;
using System.Globalization;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

/// <summary>
/// The <c>kv</c> scenario: each client keeps <c>--inflight</c> requests going, each a get, put or remove of
/// <c>--batch</c> keys drawn by the mix and the distribution. Warmup first, then the measured window.
/// </summary>
internal sealed class KvScenario
{
    private const int LoadBatch = 256;
    private readonly LoadGenOptions _options;
    private readonly KeyPicker _picker;
    private readonly byte[] _value;
    private readonly LiveCounters _live = new();
    private readonly MeasurementWindow _window;

    public KvScenario(LoadGenOptions options)
    {
        _options = options;
        _window = new MeasurementWindow(options);
        _picker = new KeyPicker(options.Keys, options.Distribution);
        _value = KeyPicker.Value(options.ValueSize);
    }

    public async Task<LoadGenSummary> RunAsync(TextWriter progress, CancellationToken cancellation)
    {
        var connections = await Connections.OpenAsync(_options, _options.Clients, cancellation);
        try
        {
            var phase = "load";
            using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var progressLoop = Progress.RunAsync(_live, () => phase, progress, stopProgress.Token);
            try
            {
                if (_options.Load > 0)
                {
                    var loadStarted = Stopwatch.GetTimestamp();
                    await LoadAsync(connections, cancellation);
                    await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"loaded {_options.Load} keys in {Stopwatch.GetElapsedTime(loadStarted).TotalSeconds:F1} s"));
                }

                phase = "warmup";
                var workers = new List<(Task Task, OpStats Stats)>();
                var seed = 1;
                foreach (var connection in connections)
                {
                    for (var i = 0; i < _options.InFlight; i++)
                    {
                        var stats = new OpStats();
                        var random = new Random(seed++);
                        workers.Add((Task.Run(() => WorkAsync(connection, stats, random, cancellation), cancellation), stats));
                    }
                }

                var seconds = await _window.MeasureAsync([.. workers.Select(w => w.Task)], () => phase = "measure", cancellation);
                var total = OpStats.Sum(workers.Select(w => w.Stats));
                total.Errors = _live.Errors;
                return LoadGenSummary.From("kv", Describe(), seconds, total, _live.FirstError);
            }
            finally
            {
                await stopProgress.CancelAsync();
                await progressLoop;
            }
        }
        finally
        {
            await Connections.CloseAsync(connections);
        }
    }

    private string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{_options.Clients} clients x {_options.InFlight} in flight, mix {_options.GetWeight}:{_options.PutWeight}:{_options.RemoveWeight}, batch {_options.Batch}, {_options.ValueSize} B values, {_options.Keys} keys {_options.Distribution.ToString().ToLowerInvariant()}, {(_options.Dialect == Dialect.Json ? "json" : "binary")}");

    private async Task LoadAsync(IReadOnlyList<LoadConnection> connections, CancellationToken cancellation)
    {
        var next = -LoadBatch;
        var loaders = new List<Task>();
        foreach (var connection in connections)
        {
            for (var i = 0; i < _options.InFlight; i++)
            {
                loaders.Add(Task.Run(
                    async () =>
                    {
                        int start;
                        while ((start = Interlocked.Add(ref next, LoadBatch)) < _options.Load)
                        {
                            var count = Math.Min(LoadBatch, _options.Load - start);
                            var pairs = new KeyValue[count];
                            for (var k = 0; k < count; k++)
                            {
                                pairs[k] = new KeyValue(KeyPicker.Key(start + k), _value);
                            }

                            var reply = await connection.SendAsync(new Put(connection.NextId(), pairs), cancellation);
                            if (reply is PutResult { Ok: true })
                            {
                                _live.Completed(count);
                            }
                            else
                            {
                                _live.Failed(reply);
                            }
                        }
                    },
                    cancellation));
            }
        }

        await Task.WhenAll(loaders);
    }

    private async Task WorkAsync(LoadConnection connection, OpStats stats, Random random, CancellationToken cancellation)
    {
        while (!_window.Closed)
        {
            var op = _options.PickOp(random);
            var request = Build(op, connection.NextId(), random);
            var started = Stopwatch.GetTimestamp();
            Reply reply;
            try
            {
                reply = await connection.SendAsync(request, cancellation);
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or ProtocolException)
            {
                // The connection is gone: this worker stops, the error shows in the summary.
                _live.Failed();
                return;
            }

            var ok = reply switch
            {
                GetResult => true,
                PutResult put => put.Ok,
                RemoveResult remove => remove.Ok,
                _ => false,
            };
            if (!ok)
            {
                _live.Failed(reply);
                continue;
            }

            _live.Completed(_options.Batch);
            if (_window.TryCount(started))
            {
                stats.Record(op, OpStats.MicrosSince(started), _options.Batch);
            }
        }
    }

    private Request Build(Op op, RequestId id, Random random)
    {
        if (op == Op.Put)
        {
            var pairs = new KeyValue[_options.Batch];
            for (var i = 0; i < pairs.Length; i++)
            {
                pairs[i] = new KeyValue(KeyPicker.Key(_picker.Next(random)), _value);
            }

            return new Put(id, pairs);
        }

        var keys = new byte[_options.Batch][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyPicker.Key(_picker.Next(random));
        }

        return op == Op.Get ? new Get(id, keys) : new Remove(id, keys);
    }
}
