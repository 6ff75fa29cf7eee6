using Akka.Configuration;
using MwgActors.Actors.Hosting;

namespace MwgActors.Actors.Tests.Support;

/// <summary>Actor system configurations built the way the server builds them, with <see cref="MwgConfig.Build"/>.</summary>
internal static class MwgTestConfig
{
    /// <summary>The RocksDB store, journal and snapshot store in <paramref name="dataPath"/>.</summary>
    public static Config RocksDb(string dataPath, string extra = "") => MwgConfig.Build(ConfigurationFactory.ParseString($"""
        mwg.storage.path = {MwgConfig.Quote(dataPath)}
        akka.loglevel = WARNING
        # The suite runs several test assemblies at once on 2 cores: give expectations room.
        akka.test.single-expect-default = 10s
        {extra}
        """));

    /// <summary>The in-memory store with Akka's in-memory journal and snapshot store.</summary>
    public static Config Memory(string extra = "") => MwgConfig.Build(ConfigurationFactory.ParseString($"""
        mwg.storage.store = memory
        akka.loglevel = WARNING
        {extra}
        """));
}
