using System.Globalization;

namespace MwgActors.LoadGen;

/// <summary>Runs the baselines <c>--baseline</c> asks for, after our own run, and attaches the comparisons.</summary>
internal static class BaselineRunner
{
    public static async Task<LoadGenSummary> CompareAsync(LoadGenOptions options, LoadGenSummary ours, TextWriter progress, CancellationToken cancellation)
    {
        if (options.Baselines.Count == 0)
        {
            return ours;
        }

        var comparisons = new List<BaselineComparison>();
        foreach (var kind in options.Baselines)
        {
            var name = BaselineKinds.Name(kind);
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"baseline {name}: same op mix and sizes"));
            var theirs = await RunAsync(kind, options, progress, cancellation);
            comparisons.Add(BaselineComparison.Of(name, ours, theirs));
        }

        return ours with { Baselines = comparisons };
    }

    /// <summary>Fails before our own run, not after it, when the Redis of <c>--baseline redis</c> is not there.</summary>
    public static async Task PreflightAsync(LoadGenOptions options)
    {
        if (options.Baselines.Contains(BaselineKind.Redis))
        {
            await using var probe = await RedisConnections.ConnectAsync(options.Redis, "mwg-loadgen-probe");
        }
    }

    private static async Task<LoadGenSummary> RunAsync(BaselineKind kind, LoadGenOptions options, TextWriter progress, CancellationToken cancellation)
    {
        if (options.Scenario == Scenario.Fanout)
        {
            return await new RedisFanoutBaseline(options).RunAsync(progress, cancellation);
        }

        await using IKvBaseline baseline = kind == BaselineKind.RocksDb
            ? RocksDbBaseline.Open(options.BaselineData)
            : await RedisKvBaseline.OpenAsync(options.Redis);
        return await new KvBaselineDriver(options, baseline).RunAsync(BaselineKinds.Name(kind), progress, cancellation);
    }
}
