namespace MwgActors.LoadGen;

/// <summary>Runs the scenario the options name; the CLI and the smoke test both come through here.</summary>
internal static class LoadGenRunner
{
    public static async Task<LoadGenSummary> RunAsync(LoadGenOptions options, TextWriter progress, CancellationToken cancellation)
    {
        await BaselineRunner.PreflightAsync(options);
        var ours = await RunScenarioAsync(options, progress, cancellation);
        return await BaselineRunner.CompareAsync(options, ours, progress, cancellation);
    }

    private static Task<LoadGenSummary> RunScenarioAsync(LoadGenOptions options, TextWriter progress, CancellationToken cancellation) =>
        options.Scenario switch
        {
            Scenario.Kv => new KvScenario(options).RunAsync(progress, cancellation),
            Scenario.Fanout => new FanoutScenario(options).RunAsync(progress, cancellation),
            Scenario.Connections => new ConnectionsScenario(options).RunAsync(progress, cancellation),
            Scenario.Resume => new ResumeScenario(options).RunAsync(progress, cancellation),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
}
