using System.Threading.Channels;
using Akka.Actor;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Api;

/// <summary>
/// Stands in for an in-process subscriber: receives the subscription actor's pushes and writes them into a
/// bounded channel. Its termination unsubscribes (the subscription actor watches it).
/// </summary>
internal sealed class SubscriptionBridgeActor : ReceiveActor
{
    private readonly ChannelWriter<object> _writer;
    private bool _overflowed;

    public SubscriptionBridgeActor(ChannelWriter<object> writer)
    {
        _writer = writer;
        Receive<SubscribedKeysChanged>(Push);
        Receive<ReloadRequired>(Push);
        Receive<ResumeTooOld>(Push);
    }

    public static Props Props(ChannelWriter<object> writer) => Akka.Actor.Props.Create(() => new SubscriptionBridgeActor(writer));

    protected override void PostStop() => _writer.TryComplete();

    private void Push(object message)
    {
        if (_writer.TryWrite(message))
        {
            _overflowed = false;
            return;
        }

        // The reader is too far behind: tell it once to reload rather than buffering without bound.
        if (!_overflowed && message is SubscribedKeysChanged notification)
        {
            _overflowed = true;
            _writer.TryComplete(new ChannelOverflowException(notification.SubscriptionId, notification.Revision));
            Context.Stop(Self);
        }
    }
}

/// <summary>The in-process subscriber did not keep up; resubscribe from the last revision it handled.</summary>
public sealed class ChannelOverflowException : Exception
{
    public ChannelOverflowException(long subscriptionId, long revision)
        : base($"subscription {subscriptionId} fell behind at revision {revision}; resubscribe from the last revision handled")
    {
        SubscriptionId = subscriptionId;
        Revision = revision;
    }

    public long SubscriptionId { get; }

    public long Revision { get; }
}
