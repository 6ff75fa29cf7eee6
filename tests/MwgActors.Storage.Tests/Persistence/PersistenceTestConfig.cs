using Akka.Actor;
using Akka.Configuration;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>Configuration of an actor system whose journal and snapshot store are the RocksDB plugins on one folder.</summary>
public static class PersistenceTestConfig
{
    public static Config For(string folder)
    {
        var path = folder.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            # The suite runs several test assemblies at once on 2 cores: give expectations room.
            akka.test.single-expect-default = 10s
            akka.persistence.journal.plugin = "mwg.persistence.journal"
            akka.persistence.snapshot-store.plugin = "mwg.persistence.snapshot-store"
            mwg.persistence.journal.path = "{{path}}"
            mwg.persistence.snapshot-store.path = "{{path}}"
            akka.actor {
              serializers.mwg-test = "MwgActors.Storage.Tests.Persistence.TestPayloadSerializer, MwgActors.Storage.Tests"
              serialization-bindings {
                "MwgActors.Storage.Tests.Persistence.Counted, MwgActors.Storage.Tests" = mwg-test
                "MwgActors.Storage.Tests.Persistence.CounterState, MwgActors.Storage.Tests" = mwg-test
                "MwgActors.Storage.Tests.Persistence.Unserializable, MwgActors.Storage.Tests" = mwg-test
              }
            }
            """).WithFallback(MwgReferenceConfig.Load());
    }

    /// <summary>A second actor system on the same folder, as after a process restart.</summary>
    public static ActorSystem StartSystem(string name, string folder) => ActorSystem.Create(name, For(folder));
}
