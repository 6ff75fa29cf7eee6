using Akka.Actor;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The socket side of a connection, as its actor sees it. The gateway implements it over a websocket with a
/// bounded outbound queue drained by a send loop, and a receive loop that reads the next frame only when a
/// request slot is free (the per-connection bound on requests in flight).
/// </summary>
/// <remarks>Methods are called from the connection actor only; implementations are thread-safe against their own loops.</remarks>
public interface IConnectionOutput
{
    /// <summary>
    /// Queues one frame. False, and nothing queued, when the queue's bound in bytes or frames would be exceeded.
    /// A <paramref name="droppable"/> frame (a notification) may later be removed by <see cref="DropDroppable"/>.
    /// </summary>
    bool TryEnqueue(byte[] frame, bool droppable);

    /// <summary>Frames queued and not yet written.</summary>
    int QueuedFrames { get; }

    /// <summary>Bytes of the frames queued and not yet written.</summary>
    long QueuedBytes { get; }

    /// <summary>Drops the droppable frames queued but not yet written; the others keep their order.</summary>
    /// <returns>How many frames were dropped.</returns>
    int DropDroppable();

    /// <summary>Sends what is queued, then closes the socket with a websocket close code and a short reason.</summary>
    void Close(int closeCode, string reason);

    /// <summary>Frees one request slot so the receive loop reads the next frame.</summary>
    void RequestCompleted();

    /// <summary>
    /// Asks for one <see cref="ConnectionProtocol.OutboundDrained"/> to <paramref name="connection"/> once the queue is at
    /// or below its low-water mark (<see cref="OutboundLowWater"/>): at once if it is already, else after the write
    /// that takes it there. Asking again before the signal came asks for the same one signal.
    /// </summary>
    void NotifyWhenDrained(IActorRef connection);
}

/// <summary>The websocket close codes the server uses.</summary>
public static class CloseCodes
{
    public const int GoingAway = 1001;
    public const int ProtocolError = 1002;
    public const int PolicyViolation = 1008;
    public const int MessageTooBig = 1009;
    public const int InternalError = 1011;
}
