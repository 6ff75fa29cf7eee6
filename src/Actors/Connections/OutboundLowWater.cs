namespace MwgActors.Actors.Connections;

/// <summary>
/// The outbound queue's low-water mark: a quarter of its bounds, in frames and in bytes. A paced replay reads its next
/// chunk (at most half the queue) once the queue is down to it, and the socket side signals draining to it
/// (<see cref="IConnectionOutput.NotifyWhenDrained"/>). One rule for both sides.
/// </summary>
public static class OutboundLowWater
{
    public static bool IsReached(int queuedFrames, long queuedBytes, int maxFrames, long maxBytes) =>
        queuedFrames <= maxFrames / 4 && queuedBytes <= maxBytes / 4;
}
