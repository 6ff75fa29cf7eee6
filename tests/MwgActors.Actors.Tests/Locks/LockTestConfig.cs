using Akka.Configuration;
using MwgActors.Actors.Hosting;

namespace MwgActors.Actors.Tests.Locks;

/// <summary>In-memory persistence over the shipped reference config.</summary>
internal static class LockTestConfig
{
    public static Config Reference => MwgActorsReferenceConfig.Load();

    public static Config InMemory { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        # The suite runs several test assemblies at once on 2 cores: give expectations room.
        akka.test.single-expect-default = 10s
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(Reference);
}
