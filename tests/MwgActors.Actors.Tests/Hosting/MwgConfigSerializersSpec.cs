using Akka.Configuration;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Tests.Hosting;

/// <summary>
/// A system built as the server builds it (<see cref="MwgConfig.Build"/>) binds the journal's events to MwgActors'
/// serializers: the bindings moved from Storage's reference.conf to this assembly's serialization.conf, and the
/// on-disk format must not change with them.
/// </summary>
public sealed class MwgConfigSerializersSpec() : TestKit(MwgConfig.Build(ConfigurationFactory.ParseString("mwg.storage.store = memory")))
{
    [Fact]
    public void Storage_and_lock_events_should_use_their_own_serializers()
    {
        Assert.IsType<MwgEventSerializer>(Sys.Serialization.FindSerializerForType(typeof(KeysChanged)));
        Assert.IsType<MwgEventSerializer>(Sys.Serialization.FindSerializerForType(typeof(StorageSnapshot)));
        Assert.IsType<LockEventSerializer>(Sys.Serialization.FindSerializerForType(typeof(PrefixLeased)));
        Assert.IsType<LockEventSerializer>(Sys.Serialization.FindSerializerForType(typeof(LeaseTableSnapshot)));
    }
}
