using Akka.Actor;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>A change bus that delivers only when the spec says so: a publication that lags the journal.</summary>
internal sealed class HeldBus : IChangeBus
{
    private readonly List<IActorRef> _subscribers = [];

    public void Publish(ChangesCommitted changes)
    {
        lock (_subscribers)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Tell(changes);
            }
        }
    }

    public void Subscribe(IActorRef subscriber)
    {
        lock (_subscribers)
        {
            _subscribers.Add(subscriber);
        }
    }

    public void Unsubscribe(IActorRef subscriber)
    {
        lock (_subscribers)
        {
            _subscribers.Remove(subscriber);
        }
    }
}
