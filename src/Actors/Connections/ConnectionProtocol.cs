namespace MwgActors.Actors.Connections;

/// <summary>Messages from the gateway's socket loops to a connection actor.</summary>
public static class ConnectionProtocol
{
    /// <summary>One complete frame read from the socket; the array belongs to the message.</summary>
    public sealed record FrameReceived(byte[] Frame);

    /// <summary>The client sent a frame larger than the limit; the receive loop discarded it.</summary>
    public sealed record FrameTooLarge
    {
        public static readonly FrameTooLarge Instance = new();

        private FrameTooLarge()
        {
        }
    }

    /// <summary>
    /// The client sent a message of the websocket type its dialect does not use (a binary message on the JSON dialect);
    /// the receive loop discarded it and holds a request slot for the error answer.
    /// </summary>
    public sealed record FrameOfWrongType
    {
        public static readonly FrameOfWrongType Instance = new();

        private FrameOfWrongType()
        {
        }
    }

    /// <summary>The socket is closed (by the peer, a failure or the server); the actor stops.</summary>
    public sealed record SocketClosed
    {
        public static readonly SocketClosed Instance = new();

        private SocketClosed()
        {
        }
    }

    /// <summary>
    /// The outbound queue drained to its low-water mark (<see cref="OutboundLowWater"/>) after the actor asked with
    /// <see cref="IConnectionOutput.NotifyWhenDrained"/>: sent once per ask.
    /// </summary>
    public sealed record OutboundDrained
    {
        public static readonly OutboundDrained Instance = new();

        private OutboundDrained()
        {
        }
    }
}
