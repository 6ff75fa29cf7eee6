using Akka.Actor;

namespace MwgActors.Actors.Connections;

/// <summary>The actors a connection talks to.</summary>
public sealed record ConnectionRefs(IActorRef Storage, IActorRef Subscriptions, IActorRef Locks);
