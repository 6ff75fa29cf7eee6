using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Actors.Diagnostics;

/// <summary>
/// The metrics of one actor system running MwgActors, on one <see cref="System.Diagnostics.Metrics.Meter"/> named
/// <see cref="MeterName"/> (OpenTelemetry: <c>AddMeter("MwgActors")</c>). Every instrument's name starts with
/// <c>mwg.</c>; docs/observability.md lists them. One instance per actor system (an Akka extension), so two systems
/// in one process keep apart figures; the meter is disposed when its system terminates.
/// </summary>
/// <remarks>
/// The recording methods run on the actors' hot paths: instruments are created once, tags are cached
/// <see cref="KeyValuePair{TKey,TValue}"/>s passed without allocation, gauges read fields the actors write with
/// <see cref="Volatile"/> or <see cref="Interlocked"/>; nothing takes a lock. Without a listener each call is a
/// field read.
/// </remarks>
public sealed class MwgMetrics : IExtension, IDisposable
{
    public const string MeterName = "MwgActors";

    /// <summary>Bucket bounds of the latency histogram, in seconds: 50 µs to 30 s (the request timeout's default).</summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly KeyValuePair<string, object?>[] DialectTags =
        [new("dialect", "g1"), new("dialect", "extended"), new("dialect", "json")];

    private static readonly KeyValuePair<string, object?>[] TypeTags =
        [.. Enum.GetValues<RequestKind>().Select(k => new KeyValuePair<string, object?>("type", k.ToString().ToLowerInvariant()))];

    private static readonly KeyValuePair<string, object?>[] OutcomeTags =
        [.. Enum.GetValues<RequestOutcome>().Select(o => new KeyValuePair<string, object?>("outcome", o.ToString().ToLowerInvariant()))];

    private static readonly KeyValuePair<string, object?>[] ReloadTags =
        [new("reason", "forced"), new("reason", "resume_too_old"), new("reason", "overflow"), new("reason", "revoked")];

    private static readonly KeyValuePair<string, object?>[] RefusalTags =
        [new("reason", "origin"), new("reason", "capacity"), new("reason", "unauthorized"), new("reason", "shutting_down"), new("reason", "unauthenticated_capacity")];

    private static readonly KeyValuePair<string, object?> ActionReload = new("action", "reload");
    private static readonly KeyValuePair<string, object?> ActionClose = new("action", "close");

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _notifications;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _overflows;
    private readonly Counter<long> _dropped;

    // Written by the actors, read by the observable instruments when a listener collects.
    private readonly long[] _openConnections = new long[DialectTags.Length];
    private long _journalRevision;
    private long _publishedRevision;
    private long _routedRevision;
    private long _subscriptions;
    private long _catchingUp;
    private long _subscriptionMemory;

    private string? _rocksDbPath;
    private RocksDbReading? _rocksDbReading;

    public MwgMetrics(ExtendedActorSystem system)
        : this()
    {
        ArgumentNullException.ThrowIfNull(system);
        system.RegisterOnTermination(Dispose);
    }

    /// <summary>Metrics on a meter of their own, outside any actor system (specs).</summary>
    internal MwgMetrics()
    {
        Meter = new Meter(new MeterOptions(MeterName) { Version = typeof(MwgMetrics).Assembly.GetName().Version?.ToString() });

        Meter.CreateObservableUpDownCounter("mwg.connections", OpenConnections, "{connection}", "Open websocket connections, by dialect (g1, extended, json).");
        _refused = Meter.CreateCounter<long>("mwg.connections.refused", "{connection}", "Websocket upgrades refused before a connection existed, by reason (origin, capacity, unauthorized, shutting_down, unauthenticated_capacity).");
        _requests = Meter.CreateCounter<long>("mwg.requests", "{request}", "Requests answered on websocket connections, by type and outcome (ok, error, timeout, refused, invalid).");
        _requestDuration = Meter.CreateHistogram(
            "mwg.request.duration",
            "s",
            "Time from decoding a request to queueing its answer, in seconds, by type.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _notifications = Meter.CreateCounter<long>("mwg.notifications.sent", "{notification}", "Change notifications queued to subscribed clients (G1 pushes included), by dialect.");
        _reloads = Meter.CreateCounter<long>("mwg.reloads.sent", "{signal}", "Reload signals queued to clients, by reason (forced, resume_too_old, overflow, revoked).");
        _overflows = Meter.CreateCounter<long>("mwg.outbound.overflows", "{overflow}", "Outbound queues that overflowed, by dialect and action (reload: notifications dropped, close: connection closed).");
        _dropped = Meter.CreateCounter<long>("mwg.outbound.dropped", "{frame}", "Queued notifications dropped on overflow, by dialect.");

        Meter.CreateObservableGauge("mwg.journal.revision", () => Volatile.Read(ref _journalRevision), "{revision}", "The newest revision in the change log (the storage actor's last sequence number).");
        Meter.CreateObservableGauge("mwg.subscriptions.lag", SubscriptionLag, "{revision}", "Revisions committed but not yet routed to subscriptions by the subscription actor.");
        Meter.CreateObservableUpDownCounter("mwg.subscriptions", () => Volatile.Read(ref _subscriptions), "{subscription}", "Subscriptions held by the subscription actor.");
        Meter.CreateObservableUpDownCounter("mwg.subscriptions.catching_up", () => Volatile.Read(ref _catchingUp), "{subscription}", "Subscriptions replaying the change log before they go live.");
        Meter.CreateObservableGauge("mwg.subscriptions.memory", () => Volatile.Read(ref _subscriptionMemory), "By", "Estimated bytes all subscriptions hold (prefixes, trie, bookkeeping); bounded by mwg.subscriptions.max-memory.");

        Meter.CreateObservableGauge("mwg.rocksdb.disk.size", () => RocksDb(s => [new Measurement<long>(s.DiskBytes)]), "By", "Bytes of every file in the RocksDB data folder (tables, write-ahead log, manifest).");
        Meter.CreateObservableGauge("mwg.rocksdb.sst.size", () => Families(f => f.SstFilesBytes), "By", "Bytes of the table files, by column family (rocksdb.total-sst-files-size).");
        Meter.CreateObservableGauge("mwg.rocksdb.memtable.size", () => Families(f => f.MemTablesBytes), "By", "Bytes of the memtables, by column family (rocksdb.cur-size-all-mem-tables).");
        Meter.CreateObservableGauge("mwg.rocksdb.keys", () => Families(f => f.EstimatedKeys), "{key}", "Estimated keys, by column family (rocksdb.estimate-num-keys).");
        Meter.CreateObservableGauge("mwg.rocksdb.compactions.running", () => RocksDb(s => [new Measurement<long>(s.RunningCompactions)]), "{compaction}", "Compactions running (rocksdb.num-running-compactions).");
        Meter.CreateObservableGauge("mwg.rocksdb.compactions.pending", () => Families(f => f.CompactionPending ? 1 : 0), "{column_family}", "1 when a compaction is due, by column family (rocksdb.compaction-pending).");
        Meter.CreateObservableGauge("mwg.rocksdb.compactions.pending.size", () => Families(f => f.PendingCompactionBytes), "By", "Bytes a compaction would rewrite, by column family (rocksdb.estimate-pending-compaction-bytes).");
        Meter.CreateObservableGauge("mwg.rocksdb.flushes.running", () => RocksDb(s => [new Measurement<long>(s.RunningFlushes)]), "{flush}", "Memtable flushes running (rocksdb.num-running-flushes).");
    }

    /// <summary>The meter every instrument is on: an exporter listens to this instance (not to every meter of the name).</summary>
    public Meter Meter { get; }

    public static MwgMetrics Get(ActorSystem system) => system.WithExtension<MwgMetrics, MwgMetricsProvider>();

    /// <summary>Reports RocksDB's statistics of the database this process has open at <paramref name="fullPath"/>.</summary>
    public void ObserveRocksDb(string fullPath) => Volatile.Write(ref _rocksDbPath, fullPath);

    /// <summary>A websocket upgrade was refused (the gateway, before any connection actor).</summary>
    public void ConnectionRefused(ConnectionRefusal reason) => _refused.Add(1, RefusalTags[(int)reason]);

    public void Dispose() => Meter.Dispose();

    internal void ConnectionOpened(Dialect dialect) => Interlocked.Increment(ref _openConnections[(int)dialect]);

    internal void ConnectionClosed(Dialect dialect) => Interlocked.Decrement(ref _openConnections[(int)dialect]);

    /// <param name="startedAt">The <see cref="Stopwatch.GetTimestamp"/> when the request was decoded.</param>
    internal void RequestAnswered(RequestKind kind, RequestOutcome outcome, long startedAt)
    {
        var type = TypeTags[(int)kind];
        _requests.Add(1, type, OutcomeTags[(int)outcome]);
        if (_requestDuration.Enabled)
        {
            _requestDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, type);
        }
    }

    internal void NotificationSent(Dialect dialect) => _notifications.Add(1, DialectTags[(int)dialect]);

    internal void ReloadSent(ReloadReason reason, int signals = 1)
    {
        if (signals > 0)
        {
            _reloads.Add(signals, ReloadTags[(int)reason]);
        }
    }

    internal void OutboundOverflowed(Dialect dialect, bool closed) => _overflows.Add(1, DialectTags[(int)dialect], closed ? ActionClose : ActionReload);

    internal void OutboundDropped(Dialect dialect, int frames)
    {
        if (frames > 0)
        {
            _dropped.Add(frames, DialectTags[(int)dialect]);
        }
    }

    /// <summary>The storage actor's newest revision (after recovery and after each committed batch).</summary>
    internal void JournalRevision(long revision) => Volatile.Write(ref _journalRevision, revision);

    /// <summary>A batch was published to the change bus at <paramref name="revision"/>.</summary>
    internal void Published(long revision) => Volatile.Write(ref _publishedRevision, revision);

    /// <summary>The subscription actor routed <paramref name="revision"/>.</summary>
    internal void Routed(long revision) => Volatile.Write(ref _routedRevision, revision);

    internal void SubscriptionCounts(long subscriptions, long catchingUp)
    {
        Volatile.Write(ref _subscriptions, subscriptions);
        Volatile.Write(ref _catchingUp, catchingUp);
    }

    /// <summary>The subscription actor's estimate of the memory its subscriptions hold.</summary>
    internal void SubscriptionMemory(long bytes) => Volatile.Write(ref _subscriptionMemory, bytes);

    private IEnumerable<Measurement<long>> OpenConnections()
    {
        for (var dialect = 0; dialect < _openConnections.Length; dialect++)
        {
            yield return new Measurement<long>(Volatile.Read(ref _openConnections[dialect]), DialectTags[dialect]);
        }
    }

    // Both ends start at zero in a new system; only revisions published since then count.
    private long SubscriptionLag() => Math.Max(0, Volatile.Read(ref _publishedRevision) - Volatile.Read(ref _routedRevision));

    private Measurement<long>[] Families(Func<RocksDbFamilyStatistics, long> value) =>
        RocksDb(s => [.. s.Families.Select(f => new Measurement<long>(value(f), new KeyValuePair<string, object?>("column_family", f.Name)))]);

    private Measurement<long>[] RocksDb(Func<RocksDbStatistics, Measurement<long>[]> measure) =>
        ReadRocksDb() is { } statistics ? measure(statistics) : [];

    // One reading serves all RocksDB instruments of a collection: it is reused for a second.
    private RocksDbStatistics? ReadRocksDb()
    {
        if (Volatile.Read(ref _rocksDbPath) is not { } path)
        {
            return null;
        }

        var now = Environment.TickCount64;
        var reading = Volatile.Read(ref _rocksDbReading);
        if (reading is null || now - reading.AtTicks > 1000)
        {
            reading = new RocksDbReading(now, RocksDbDatabase.ReadStatistics(path));
            Volatile.Write(ref _rocksDbReading, reading);
        }

        return reading.Statistics;
    }

    private sealed record RocksDbReading(long AtTicks, RocksDbStatistics? Statistics);
}

public sealed class MwgMetricsProvider : ExtensionIdProvider<MwgMetrics>
{
    public override MwgMetrics CreateExtension(ExtendedActorSystem system) => new(system);
}

/// <summary>Why the gateway refused a websocket upgrade (the <c>reason</c> tag of <c>mwg.connections.refused</c>).</summary>
public enum ConnectionRefusal
{
    /// <summary>The Origin is not in mwg.server.allowed-origins (403).</summary>
    Origin,

    /// <summary>mwg.server.max-connections are open (503).</summary>
    Capacity,

    /// <summary>No valid token with authentication on (401).</summary>
    Unauthorized,

    /// <summary>The server is stopping (503).</summary>
    ShuttingDown,

    /// <summary>No token in the upgrade and mwg.server.max-unauthenticated-connections are waiting to authenticate (503).</summary>
    UnauthenticatedCapacity,
}

/// <summary>How a request ended (the <c>outcome</c> tag of <c>mwg.requests</c>).</summary>
internal enum RequestOutcome
{
    /// <summary>Answered with a result.</summary>
    Ok,

    /// <summary>Answered with an error (storage unavailable, lock refused, unknown subscription, ...).</summary>
    Error,

    /// <summary>Not answered within mwg.connection.request-timeout.</summary>
    Timeout,

    /// <summary>Refused before any work: no or insufficient token, rate limit, per-connection limit.</summary>
    Refused,

    /// <summary>The frame could not be decoded (malformed, or over a codec limit).</summary>
    Invalid,
}

/// <summary>Why a reload signal was sent (the <c>reason</c> tag of <c>mwg.reloads.sent</c>).</summary>
internal enum ReloadReason
{
    /// <summary>A forced reload (POST /admin/reload, MwgStore.ForceReloadAsync).</summary>
    Forced,

    /// <summary>A resume from a revision the change log no longer holds.</summary>
    ResumeTooOld,

    /// <summary>The outbound queue overflowed and its notifications were dropped.</summary>
    Overflow,

    /// <summary>A new token no longer allows the subscription.</summary>
    Revoked,
}
