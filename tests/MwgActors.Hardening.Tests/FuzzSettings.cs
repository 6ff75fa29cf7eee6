namespace MwgActors.Hardening.Tests;

/// <summary>
/// How long the hardening tests run. CI runs the defaults; a manual soak sets the environment variables
/// (tests/MwgActors.Hardening.Tests/README.md).
/// </summary>
internal static class FuzzSettings
{
    /// <summary>Bad frames the network fuzz sends (MWG_FUZZ_FRAMES, default 100,000).</summary>
    public static int FuzzFrames => Read("MWG_FUZZ_FRAMES", 100_000);

    /// <summary>SIGKILLs of the crash test (MWG_CRASH_KILLS, default 10).</summary>
    public static int CrashKills => Read("MWG_CRASH_KILLS", 10);

    /// <summary>Seed of the random choices, printed by every run so a failure can be replayed (MWG_SEED).</summary>
    public static int Seed { get; } = Read("MWG_SEED", Random.Shared.Next());

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;
}
