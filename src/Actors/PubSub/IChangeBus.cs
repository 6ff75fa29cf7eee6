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

    /// <summary>
    /// Tells subscribers that every revision up to <paramref name="revision"/> is committed, so one that missed some
    /// can read them from the journal. A bus that never loses a message (the local one) ignores it.
    /// </summary>
    void PublishPosition(long revision)
    {
    }

    /// <summary>
    /// True when a subscriber must wait for <see cref="ChangeBusReady"/> before it relies on the stream (cluster mode:
    /// the node first learns the journal's position). The local bus is ready at once.
    /// </summary>
    bool SignalsReady => false;

    void Subscribe(IActorRef subscriber);

    void Unsubscribe(IActorRef subscriber);
}
