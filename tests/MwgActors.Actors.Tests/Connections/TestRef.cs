using Akka.Actor;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>A distinct actor ref without an actor system, for plain part tests that tell refs apart (it takes no messages).</summary>
internal sealed class TestRef(string name) : MinimalActorRef
{
    public override ActorPath Path { get; } = new RootActorPath(new Address("akka", "parts")) / name;

    public override IActorRefProvider Provider => throw new NotSupportedException();
}
