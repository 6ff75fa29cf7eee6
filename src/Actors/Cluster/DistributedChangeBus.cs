using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// The change bus of cluster mode: the writer publishes on a DistributedPubSub topic, and each node's
/// <see cref="ChangeSequencer"/> hands the batches to that node's subscribers in order, filling anything lost in
/// transit from the shared journal. Subscribers wait for <see cref="ChangeBusReady"/>.
/// </summary>
public sealed class DistributedChangeBus : IChangeBus
{
    private readonly IActorRef _mediator;
    private readonly IActorRef _sequencer;
    private readonly string _topic;

    internal DistributedChangeBus(ActorSystem system, string topic, IActorRef sequencer)
    {
        _mediator = DistributedPubSub.Get(system).Mediator;
        _topic = topic;
        _sequencer = sequencer;
    }

    public bool SignalsReady => true;

    public void Publish(ChangesCommitted changes) => _mediator.Tell(new Publish(_topic, changes));

    public void PublishPosition(long revision) => _mediator.Tell(new Publish(_topic, new LogPosition(revision)));

    public void Subscribe(IActorRef subscriber) => _sequencer.Tell(new ChangeSequencer.Register(subscriber));

    public void Unsubscribe(IActorRef subscriber) => _sequencer.Tell(new ChangeSequencer.Unregister(subscriber));
}
