using System.Globalization;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

internal enum Scenario
{
    Kv,
    Fanout,
    Connections,
    Resume,
}

internal enum KeyDistribution
{
    Uniform,
    Zipf,
}

/// <summary>Every knob of the load generator, parsed from the command line.</summary>
internal sealed record LoadGenOptions
{
    public Scenario Scenario { get; init; } = Scenario.Kv;

    public Uri Url { get; init; } = new("ws://127.0.0.1:7513/");

    public int Clients { get; init; } = 4;

    public int InFlight { get; init; } = 1;

    public int GetWeight { get; init; } = 80;

    public int PutWeight { get; init; } = 20;

    public int RemoveWeight { get; init; }

    /// <summary>Draws the next op by the weights of <c>--mix</c>.</summary>
    public Op PickOp(Random random)
    {
        var roll = random.Next(GetWeight + PutWeight + RemoveWeight);
        return roll < GetWeight ? Op.Get : roll < GetWeight + PutWeight ? Op.Put : Op.Remove;
    }

    public int Batch { get; init; } = 1;

    public int ValueSize { get; init; } = 100;

    public int Keys { get; init; } = 100_000;

    public KeyDistribution Distribution { get; init; } = KeyDistribution.Uniform;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>When set, the run stops after this many measured requests instead of after <see cref="Duration"/>.</summary>
    public long? Requests { get; init; }

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public Dialect Dialect { get; init; } = Dialect.Extended;

    public int Load { get; init; }

    public bool Json { get; init; }

    /// <summary>Fanout: how many subscribers watch the writer's prefix.</summary>
    public int Subscribers { get; init; } = 8;

    /// <summary>Baselines run after our own measurement with the same op mix and sizes (Baselines/).</summary>
    public IReadOnlyList<BaselineKind> Baselines { get; init; } = [];

    /// <summary>Parent folder of the RocksDB baseline's fresh database; the system temp folder when null.</summary>
    public string? BaselineData { get; init; }

    /// <summary>The Redis baseline's server, HOST:PORT.</summary>
    public string Redis { get; init; } = "127.0.0.1:6379";

    /// <summary>Connections: idle connections to open and hold.</summary>
    public int Connections { get; init; } = 1000;

    /// <summary>Connections: how many are being opened at once (a bound, so the server's accept queue is not flooded).</summary>
    public int ConnectConcurrency { get; init; } = 64;

    /// <summary>Connections: the server process whose memory is read; null = the process listening on the url's port.</summary>
    public int? ServerPid { get; init; }

    /// <summary>Connections: opened, pinged and closed before the first measurement, so one-time costs are not counted per connection.</summary>
    public int WarmConnections { get; init; } = 100;

    /// <summary>Connections: ask the server for a full GC (diagnostics socket) before each memory reading.</summary>
    public bool InduceGc { get; init; } = true;

    /// <summary>Connections: how long the server's resident memory must hold still to count as settled.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Resume: puts the subscriber misses while it is away.</summary>
    public int Missed { get; init; } = 100_000;

    public const string Usage = """
        usage: MwgActors.LoadGen kv|fanout|connections|resume [options]
          --url URL              server websocket address (default ws://127.0.0.1:7513/)
          --clients N            connections (default 4)
          --inflight N           requests in flight per connection (default 1)
          --mix G:P:R            weights of get:put:remove (default 80:20:0)
          --batch N              keys per request (default 1)
          --value-size N         bytes per value (default 100)
          --keys N               key space (default 100000)
          --distribution D       uniform|zipf (default uniform; zipf has theta 0.99)
          --duration S           seconds measured (default 10)
          --requests N           stop after N measured requests instead of a duration
          --warmup S             seconds run but not measured first (default 2)
          --dialect D            binary|json (default binary: mwg.v1)
          --load N               put keys 0..N-1 before measuring (default 0)
          --subscribers N        fanout: subscribers on the writer's prefix (default 8)
          --baseline B[,B]       also run the op mix on rocksdb (kv) and/or redis (kv, fanout); prints ours/baseline
          --baseline-data DIR    folder in which the rocksdb baseline makes (and removes) its database (default: temp)
          --redis HOST:PORT      the redis baseline's server (default 127.0.0.1:6379; bench/scripts/redis.sh starts one)
          --connections N        connections: idle connections to open (default 1000)
          --connect-concurrency N  connections: opened at once at most (default 64)
          --server-pid PID       connections: server process to read /proc of (default: the one listening on --url's port)
          --warm-connections N   connections: opened and closed before the first measurement (default 100)
          --no-gc                connections: do not ask the server for a full GC before reading its memory
          --settle S             connections: seconds the server's RSS must hold still to count as settled (default 5)
          --missed N             resume: puts (of --batch keys, --inflight at a time) made while the subscriber is away (default 100000)
          --json                 print the summary as JSON instead of a table
        """;

    /// <summary>Parses arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static LoadGenOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new ArgumentException("a scenario is required (kv, fanout, connections or resume)");
        }

        var options = new LoadGenOptions
        {
            Scenario = args[0] switch
            {
                "kv" => Scenario.Kv,
                "fanout" => Scenario.Fanout,
                "connections" => Scenario.Connections,
                "resume" => Scenario.Resume,
                _ => throw new ArgumentException($"unknown scenario '{args[0]}' (kv, fanout, connections or resume)"),
            },
        };

        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--json")
            {
                options = options with { Json = true };
                continue;
            }

            if (name == "--no-gc")
            {
                options = options with { InduceGc = false };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name} needs a value");
            }

            var value = args[++i];
            options = name switch
            {
                "--url" => options with { Url = new Uri(value) },
                "--clients" => options with { Clients = Positive(name, value) },
                "--inflight" => options with { InFlight = Positive(name, value) },
                "--mix" => WithMix(options, value),
                "--batch" => options with { Batch = Positive(name, value) },
                "--value-size" => options with { ValueSize = NonNegative(name, value) },
                "--keys" => options with { Keys = Positive(name, value) },
                "--distribution" => options with
                {
                    Distribution = value switch
                    {
                        "uniform" => KeyDistribution.Uniform,
                        "zipf" => KeyDistribution.Zipf,
                        _ => throw new ArgumentException("--distribution is uniform or zipf"),
                    },
                },
                "--duration" => options with { Duration = Seconds(name, value), Requests = null },
                "--requests" => options with { Requests = Positive(name, value) },
                "--warmup" => options with { Warmup = Seconds(name, value) },
                "--dialect" => options with
                {
                    Dialect = value switch
                    {
                        "binary" => Dialect.Extended,
                        "json" => Dialect.Json,
                        _ => throw new ArgumentException("--dialect is binary or json"),
                    },
                },
                "--load" => options with { Load = NonNegative(name, value) },
                "--subscribers" => options with { Subscribers = Positive(name, value) },
                "--baseline" => options with { Baselines = BaselineKinds.Parse(value) },
                "--baseline-data" => options with { BaselineData = value },
                "--redis" => options with { Redis = value },
                "--connections" => options with { Connections = Positive(name, value) },
                "--connect-concurrency" => options with { ConnectConcurrency = Positive(name, value) },
                "--server-pid" => options with { ServerPid = Positive(name, value) },
                "--warm-connections" => options with { WarmConnections = NonNegative(name, value) },
                "--settle" => options with { Settle = Seconds(name, value) },
                "--missed" => options with { Missed = Positive(name, value) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        BaselineKinds.Validate(options);
        if (options.Load > options.Keys)
        {
            options = options with { Keys = options.Load };
        }

        return options;
    }

    private static LoadGenOptions WithMix(LoadGenOptions options, string value)
    {
        var parts = value.Split(':');
        if (parts.Length != 3)
        {
            throw new ArgumentException("--mix is get:put:remove, e.g. 80:20:0");
        }

        var weights = parts.Select(p => NonNegative("--mix", p)).ToArray();
        if (weights.Sum() == 0)
        {
            throw new ArgumentException("--mix needs at least one non-zero weight");
        }

        return options with { GetWeight = weights[0], PutWeight = weights[1], RemoveWeight = weights[2] };
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} needs a positive integer");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{name} needs a non-negative integer");

    private static TimeSpan Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) && s >= 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{name} needs seconds (e.g. 10 or 0.5)");
}
