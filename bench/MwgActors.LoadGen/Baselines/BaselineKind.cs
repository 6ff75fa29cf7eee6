namespace MwgActors.LoadGen;

/// <summary>What a run can be compared with, side by side, after our own measurement.</summary>
internal enum BaselineKind
{
    /// <summary>The same op mix in-process on RocksDbSharp: no network, no actors (kv only).</summary>
    RocksDb,

    /// <summary>The same op mix against a Redis server: MGET/MSET/DEL, or PUBLISH/SUBSCRIBE for fanout.</summary>
    Redis,
}

/// <summary>Parses and checks <c>--baseline</c>.</summary>
internal static class BaselineKinds
{
    public static IReadOnlyList<BaselineKind> Parse(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(name => name switch
            {
                "rocksdb" => BaselineKind.RocksDb,
                "redis" => BaselineKind.Redis,
                _ => throw new ArgumentException($"unknown baseline '{name}' (rocksdb or redis)"),
            })
            .Distinct()];

    /// <summary>Refuses a baseline the scenario has no counterpart for, and a malformed <c>--redis</c>.</summary>
    public static void Validate(LoadGenOptions options)
    {
        foreach (var baseline in options.Baselines)
        {
            var fits = baseline switch
            {
                BaselineKind.RocksDb => options.Scenario == Scenario.Kv,
                BaselineKind.Redis => options.Scenario is Scenario.Kv or Scenario.Fanout,
                _ => false,
            };
            if (!fits)
            {
                throw new ArgumentException($"--baseline {Name(baseline)} does not apply to the {options.Scenario.ToString().ToLowerInvariant()} scenario (rocksdb: kv; redis: kv and fanout)");
            }
        }

        if (options.Baselines.Contains(BaselineKind.Redis))
        {
            _ = RedisEndpoint(options.Redis);
        }
    }

    public static string Name(BaselineKind kind) => kind == BaselineKind.RocksDb ? "rocksdb" : "redis";

    /// <summary>HOST:PORT split; throws <see cref="ArgumentException"/> for anything else.</summary>
    public static (string Host, int Port) RedisEndpoint(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is > 0 and < 65536
            ? (value[..colon], port)
            : throw new ArgumentException("--redis is HOST:PORT, e.g. 127.0.0.1:6379");
    }
}
