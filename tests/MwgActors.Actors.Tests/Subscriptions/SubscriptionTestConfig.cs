using Akka.Configuration;
using MwgActors.Actors.Hosting;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>Configuration for the subscription specs: in-memory persistence over the shipped reference config
/// (which binds the storage events to MwgEventSerializer).</summary>
internal static class SubscriptionTestConfig
{
    public static Config Reference => MwgActorsReferenceConfig.Load();

    public static Config ActorSystem { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        # The suite runs several test assemblies at once on 2 cores: give expectations room.
        akka.test.single-expect-default = 10s
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(Reference);
}
