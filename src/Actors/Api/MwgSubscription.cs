using System.Threading.Channels;
using Akka.Actor;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Api;

/// <summary>
/// An in-process subscription: notifications, reloads and "resume too old" signals as an async stream, in
/// revision order. Dispose to unsubscribe. The stream holds what the reader has not consumed yet, up to
/// mwg.api.subscription-buffer messages: a reader that falls further behind sees the stream end with a
/// <see cref="ChannelOverflowException"/> and resubscribes from the last revision it handled, which the journal
/// makes lossless, rather than the server growing memory without bound.
/// </summary>
public sealed class MwgSubscription : IAsyncDisposable
{
    private readonly ChannelReader<object> _reader;
    private readonly IActorRef _bridge;

    internal MwgSubscription(long currentRevision, ChannelReader<object> reader, IActorRef bridge)
    {
        CurrentRevision = currentRevision;
        _reader = reader;
        _bridge = bridge;
    }

    /// <summary>The revision when the subscription became live (after any replay it asked for).</summary>
    public long CurrentRevision { get; }

    /// <summary>
    /// <see cref="SubscribedKeysChanged"/>, <see cref="ReloadRequired"/> and <see cref="ResumeTooOld"/> messages as they
    /// arrive, until the subscription is disposed or the system stops.
    /// </summary>
    public IAsyncEnumerable<object> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _reader.ReadAllAsync(cancellationToken);

    /// <summary>Waits for the next message.</summary>
    public ValueTask<object> ReadAsync(CancellationToken cancellationToken = default) => _reader.ReadAsync(cancellationToken);

    public ValueTask DisposeAsync()
    {
        _bridge.Tell(PoisonPill.Instance);
        return ValueTask.CompletedTask;
    }
}
