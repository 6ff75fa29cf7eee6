using Akka.Actor;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.PubSub;

/// <summary>
/// The seam through which committed batches reach subscription actors. Single node: <see cref="LocalChangeBus"/>
/// on the actor system's event stream. Cluster mode backs it with Akka's DistributedPubSub, so the writer and
/// the gateways need not share a process.
/// </summary>
/// <remarks>Contract: messages from one publisher reach each subscriber in publication order.</remarks>
public interface IChangeBus
{
    void Publish(ChangesCommitted changes);

    void Subscribe(IActorRef subscriber);

    void Unsubscribe(IActorRef subscriber);
}
