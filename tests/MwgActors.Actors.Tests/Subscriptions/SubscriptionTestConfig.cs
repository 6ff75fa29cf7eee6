using Akka.Configuration;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>Configuration for the subscription specs: in-memory persistence and the reference mwg.* settings.</summary>
internal static class SubscriptionTestConfig
{
    /// <summary>hocon/reference.conf, embedded in this test assembly.</summary>
    public static Config Reference { get; } = LoadReference();

    public static Config ActorSystem { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.actor.serializers.mwg-event = "MwgActors.Actors.Storage.MwgEventSerializer, MwgActors.Actors"
        akka.actor.serialization-bindings {
          "MwgActors.Actors.Storage.KeysChanged, MwgActors.Actors" = mwg-event
        }
        """).WithFallback(Reference);

    private static Config LoadReference()
    {
        using var stream = typeof(SubscriptionTestConfig).Assembly.GetManifestResourceStream("MwgActors.Tests.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in the test assembly");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
