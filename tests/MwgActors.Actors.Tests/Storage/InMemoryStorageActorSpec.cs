using MwgActors.Actors.Tests.Support;
using MwgActors.Storage;
using MwgActors.Storage.Memory;

namespace MwgActors.Actors.Tests.Storage;

/// <summary>The storage actor over the in-memory view and Akka's in-memory journal.</summary>
public sealed class InMemoryStorageActorSpec : StorageActorSpecBase
{
    public InMemoryStorageActorSpec()
        : base(MwgTestConfig.Memory())
    {
    }

    protected override IKeyValueStore OpenStore() => new InMemoryKeyValueStore();
}
