using Akka.Configuration;

namespace MwgActors.Actors.Tests.Locks;

/// <summary>In-memory persistence over the reference config (copied beside the tests by the project file).</summary>
internal static class LockTestConfig
{
    public static Config Reference { get; } =
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference.conf")));

    public static Config InMemory { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(Reference);
}
