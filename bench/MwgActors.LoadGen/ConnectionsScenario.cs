using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

/// <summary>
/// The <c>connections</c> scenario: opens <c>--connections</c> idle connections (websocket upgrade, then the server's
/// hello, as a real client does), at most <c>--connect-concurrency</c> at a time, and holds them. The server's
/// resident memory (read from /proc) is taken once it has settled before the first connection and again once it has
/// settled with all of them open; the difference over the connections opened is the memory per connection. Each
/// connection is then pinged, to count those the server still holds, and all are closed.
/// </summary>
internal sealed class ConnectionsScenario(LoadGenOptions options)
{
    // Descriptors the generator needs besides its sockets: the runtime, its pipes, /proc reads.
    private const int SpareDescriptors = 256;
    private readonly LiveCounters _live = new();
    private readonly System.Threading.Lock _statsLock = new();
    private string? _firstFailure;
    private bool _gcRefused;

    public async Task<LoadGenSummary> RunAsync(TextWriter progress, CancellationToken cancellation)
    {
        var count = options.Connections;
        CheckOwnFileLimit(count);

        // Before the server is looked for: a server still starting is listening once these went through.
        if (options.WarmConnections > 0)
        {
            await WarmUpAsync(cancellation);
        }

        var pid = options.ServerPid ?? FindServer(options.Url);
        long? serverLimit = null;
        if (pid is { } known)
        {
            serverLimit = ProcFs.OpenFilesLimit(known.ToString(CultureInfo.InvariantCulture));
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"server pid {known}, open files limit {serverLimit?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}"));
            if (serverLimit < count + SpareDescriptors)
            {
                await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"warning: the server may open {serverLimit} files, fewer than {count} connections need: start it after `ulimit -n {2 * count}`"));
            }
        }
        else
        {
            await progress.WriteLineAsync("server not found on this machine (give --server-pid): memory is not measured");
        }

        SettledMemory? before = pid is { } p1 ? await SettleAsync(p1, "before", progress, cancellation) : null;

        var connections = new LoadConnection?[count];
        var stats = new OpStats();
        var phase = "open";
        double openSeconds;
        SettledMemory? after;
        var stillOpen = 0;
        using (var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            var progressLoop = Progress.RunAsync(_live, () => phase, progress, stopProgress.Token);
            try
            {
                var started = Stopwatch.GetTimestamp();
                await ForEachAsync(count, async i => connections[i] = await OpenAsync(stats, cancellation), cancellation);
                openSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                phase = "settle";
                after = pid is { } p2 ? await SettleAsync(p2, "settle", progress, cancellation) : null;

                phase = "ping";
                await ForEachAsync(
                    count,
                    async i =>
                    {
                        if (connections[i] is { } connection && await PingAsync(connection, stats, cancellation))
                        {
                            Interlocked.Increment(ref stillOpen);
                        }
                    },
                    cancellation);
            }
            finally
            {
                phase = "close";
                await ForEachAsync(count, async i => await (connections[i]?.DisposeAsync() ?? ValueTask.CompletedTask), CancellationToken.None);
                await stopProgress.CancelAsync();
                await progressLoop;
            }
        }

        var opened = connections.Count(c => c is not null);
        var result = new ConnectionsResult(
            count,
            opened,
            count - opened,
            _firstFailure,
            openSeconds,
            stillOpen,
            pid,
            serverLimit,
            after?.Seconds,
            before?.Settled == true && after?.Settled == true,
            options.InduceGc && !_gcRefused,
            Deltas(before?.Memory, after?.Memory, opened));
        stats.Errors = count - stillOpen;
        var settings = string.Create(CultureInfo.InvariantCulture, $"{count} idle connections, {options.ConnectConcurrency} opening at once, {(options.Dialect == Dialect.Json ? "json" : "binary")}");
        return LoadGenSummary.From("connections", settings, openSeconds, stats, _firstFailure ?? _live.FirstError) with { Connections = result };
    }

    /// <summary>
    /// Opens, pings and closes a few connections before the first measurement, so what the server spends once
    /// (compiling the connection path, growing its thread pool) is in the "before" figure, not spread over the connections.
    /// </summary>
    private async Task WarmUpAsync(CancellationToken cancellation)
    {
        var warm = new LoadConnection?[options.WarmConnections];
        try
        {
            await ForEachAsync(
                warm.Length,
                async i =>
                {
                    try
                    {
                        warm[i] = await LoadConnection.ConnectAsync(options.Url, options.Dialect, cancellation);
                        await warm[i]!.SendAsync(new Ping(warm[i]!.NextId()), cancellation);
                    }
                    catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or IOException
                        || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))
                    {
                        // A failure here shows again, counted, when the measured connections open.
                    }
                },
                cancellation);
        }
        finally
        {
            await ForEachAsync(warm.Length, async i => await (warm[i]?.DisposeAsync() ?? ValueTask.CompletedTask), CancellationToken.None);
        }
    }

    /// <summary>A full GC in the server first (unless --no-gc), then the wait until its memory holds still.</summary>
    private async Task<SettledMemory?> SettleAsync(int pid, string phase, TextWriter progress, CancellationToken cancellation)
    {
        if (options.InduceGc && !await ServerGc.CollectAsync(pid, cancellation))
        {
            _gcRefused = true;
            await progress.WriteLineAsync("could not ask the server for a GC (no diagnostics socket we may use): memory is read without one");
        }

        return await MemorySettle.WaitAsync(pid, options.Settle, phase, progress, cancellation);
    }

    private static void CheckOwnFileLimit(int count)
    {
        // .NET lifts the soft limit to the hard one at startup, so what /proc says now is the ceiling.
        if (ProcFs.OpenFilesLimit("self") is { } limit && limit < count + SpareDescriptors)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{count} connections need about {count + SpareDescriptors} open files, but this process may open {limit}: run `ulimit -n {2 * count}` first (the hard limit, `ulimit -Hn`, is the ceiling; root raises it, or LimitNOFILE= under systemd)"));
        }
    }

    private static int? FindServer(Uri url)
    {
        var listeners = ProcFs.FindListeners(url.Port);
        return listeners.Count switch
        {
            0 => null,
            1 => listeners[0],
            _ => throw new InvalidOperationException($"several processes listen on port {url.Port} ({string.Join(", ", listeners)}): give --server-pid"),
        };
    }

    private static List<MemoryDelta> Deltas(ProcessMemory? before, ProcessMemory? after, int opened)
    {
        var deltas = new List<MemoryDelta>();
        if (before is null || after is null || opened == 0)
        {
            return deltas;
        }

        void Add(string name, long? from, long? to)
        {
            if (from is { } b && to is { } a)
            {
                deltas.Add(new MemoryDelta(name, b, a, (a - b) / (double)opened));
            }
        }

        Add("rss", before.Rss, after.Rss);
        Add("private", before.Private, after.Private);
        Add("anonymous", before.Anonymous, after.Anonymous);
        return deltas;
    }

    private Task ForEachAsync(int count, Func<int, Task> body, CancellationToken cancellation) =>
        Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = cancellation },
            async (i, _) => await body(i));

    private async Task<LoadConnection?> OpenAsync(OpStats stats, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var connection = await LoadConnection.ConnectAsync(options.Url, options.Dialect, cancellation);
            Record(stats, Op.Connect, started);
            return connection;
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or IOException
            || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            // Refused (a 503 past mwg.server.max-connections), reset, or no hello within 10 s.
            Interlocked.CompareExchange(ref _firstFailure, ex is OperationCanceledException ? "no hello within 10 s" : ex.Message, null);
            _live.Failed();
            return null;
        }
    }

    private async Task<bool> PingAsync(LoadConnection connection, OpStats stats, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            if (await connection.SendAsync(new Ping(connection.NextId()), timeout.Token) is Pong)
            {
                Record(stats, Op.Ping, started);
                return true;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ProtocolException
            || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            // Dropped by the server while idle, or not answering: counted below as not held.
        }

        Interlocked.CompareExchange(ref _firstFailure, "a connection held idle did not answer a ping", null);
        _live.Failed();
        return false;
    }

    private void Record(OpStats stats, Op op, long started)
    {
        lock (_statsLock)
        {
            stats.Record(op, OpStats.MicrosSince(started), 0);
        }

        _live.Completed(0);
    }
}
