using Akka.Actor;

namespace MwgActors.Actors.Connections;

/// <summary>
/// Paces the replays of this connection's subscriptions: a chunk fills at most half the outbound queue, and the next
/// is asked for once the queue is down to its low-water mark (<see cref="OutboundLowWater"/>), so a resume of any
/// length streams at the socket's pace instead of overflowing the queue. The actor asks the socket side for a drain
/// signal while a replay waits, instead of polling.
/// </summary>
/// <remarks>Plain state, used by the connection actor only.</remarks>
internal sealed class ReplayPacing(int maxFrames, long maxBytes)
{
    // Replays waiting for room before their next chunk: token -> the subscription actor that sent the chunk.
    private readonly Dictionary<long, IActorRef> _waiting = [];

    /// <summary>The most revisions a replay chunk may carry: half the outbound queue.</summary>
    public int ChunkSize => Math.Max(1, maxFrames / 2);

    public bool AnyWaiting => _waiting.Count > 0;

    /// <summary>A chunk of the replay <paramref name="token"/> went out; <paramref name="from"/> reads the next.</summary>
    public void ChunkSent(long token, IActorRef from) => _waiting[token] = from;

    /// <summary>The queue has room for the next chunks.</summary>
    public bool HasRoom(IConnectionOutput output) => OutboundLowWater.IsReached(output.QueuedFrames, output.QueuedBytes, maxFrames, maxBytes);

    /// <summary>Every waiting replay, to be continued now; none waits afterwards.</summary>
    public KeyValuePair<long, IActorRef>[] TakeWaiting()
    {
        var waiting = _waiting.ToArray();
        _waiting.Clear();
        return waiting;
    }
}
