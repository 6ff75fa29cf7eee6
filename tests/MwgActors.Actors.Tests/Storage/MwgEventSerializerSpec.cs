using Akka.Actor;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Storage;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Storage;

public sealed class MwgEventSerializerSpec : TestKit
{
    [Fact]
    public void KeysChanged_should_round_trip_puts_removes_and_empty_values()
    {
        var serializer = new MwgEventSerializer((ExtendedActorSystem)Sys);
        var original = new KeysChanged(
            [new BatchOperation([0, 35, 255], [1, 2]), new BatchOperation([7], null), new BatchOperation([], [])],
            1_700_000_000_123);

        var bytes = serializer.ToBinary(original);
        var copy = (KeysChanged)serializer.FromBinary(bytes, serializer.Manifest(original));

        Assert.Equal(original.CommittedAtUnixMs, copy.CommittedAtUnixMs);
        Assert.Equal(3, copy.Operations.Count);
        Assert.Equal(original.Operations[0].Key, copy.Operations[0].Key);
        Assert.Equal(original.Operations[0].Value, copy.Operations[0].Value);
        Assert.True(copy.Operations[1].IsRemove);
        Assert.Empty(copy.Operations[2].Value!);
    }

    [Fact]
    public void Truncated_bytes_should_be_refused_with_a_serialization_error()
    {
        var serializer = new MwgEventSerializer((ExtendedActorSystem)Sys);
        var bytes = serializer.ToBinary(new KeysChanged([new BatchOperation([1, 2, 3], [4, 5, 6])], 1));

        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes[..^2], "KC1"));
    }
}
