using System.Runtime.Serialization;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Locks;

namespace MwgActors.Actors.Tests.Locks;

public sealed class LockEventSerializerSpec : TestKit
{
    public LockEventSerializerSpec()
        : base(LockTestConfig.InMemory)
    {
    }

    public static TheoryData<object> Events => new()
    {
        new PrefixLeased(65_535, "AAECAwQFBgcICQoLDA0ODw", 1_700_000_000_123),
        new LeaseReleased(0),
        new LeaseExpired(42),
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void An_event_should_round_trip_through_the_bound_serializer(object original)
    {
        var copy = RoundTrip(original);

        Assert.Equal(original, copy);
    }

    [Fact]
    public void A_lease_table_snapshot_should_round_trip_with_every_lease()
    {
        var original = new LeaseTableSnapshot([new PrefixLeased(0, "tok-a", 1), new PrefixLeased(7, "tok-b", 2)]);

        var copy = (LeaseTableSnapshot)RoundTrip(original);

        Assert.Equal(original.Leases, copy.Leases);
    }

    [Fact]
    public void Truncated_bytes_should_be_refused_with_a_serialization_error()
    {
        var serializer = new LockEventSerializer((Akka.Actor.ExtendedActorSystem)Sys);
        var leased = new PrefixLeased(3, "token", 5);
        var bytes = serializer.ToBinary(leased);

        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^1], serializer.Manifest(leased)));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "nope"));
    }

    private object RoundTrip(object original)
    {
        // Through the system's bindings, as a journal would: this also checks reference.conf binds the type.
        var serializer = Sys.Serialization.FindSerializerFor(original);
        Assert.IsType<LockEventSerializer>(serializer);
        Assert.Equal(LockEventSerializer.SerializerId, serializer.Identifier);

        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, original);
        return Sys.Serialization.Deserialize(serializer.ToBinary(original), serializer.Identifier, manifest);
    }
}
