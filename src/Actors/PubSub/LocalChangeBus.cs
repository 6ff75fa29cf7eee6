using Akka.Actor;
using Akka.Event;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.PubSub;

/// <summary>The in-process change bus: the actor system's event stream, which keeps per-sender order.</summary>
public sealed class LocalChangeBus : IChangeBus
{
    private readonly EventStream _stream;

    public LocalChangeBus(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _stream = system.EventStream;
    }

    public void Publish(ChangesCommitted changes) => _stream.Publish(changes);

    public void Subscribe(IActorRef subscriber) => _stream.Subscribe(subscriber, typeof(ChangesCommitted));

    public void Unsubscribe(IActorRef subscriber) => _stream.Unsubscribe(subscriber, typeof(ChangesCommitted));
}
