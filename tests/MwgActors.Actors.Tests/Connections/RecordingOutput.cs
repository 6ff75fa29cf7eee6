using Akka.Actor;
using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>
/// The socket side of a connection for unit specs of <see cref="ConnectionActor"/>: every call becomes a message to
/// an observer (a test probe), in call order, and the queue holds at most <paramref name="capacityFrames"/> frames
/// between drops of the droppable ones. The real websocket is covered end to end by the gateway tests.
/// </summary>
internal sealed class RecordingOutput(IActorRef observer, int capacityFrames = int.MaxValue) : IConnectionOutput
{
    private readonly Lock _lock = new();
    private int _queued;
    private int _droppable;
    private IActorRef? _drainWaiter;

    public int QueuedFrames
    {
        get
        {
            lock (_lock)
            {
                return _queued;
            }
        }
    }

    public long QueuedBytes => 0;

    public bool TryEnqueue(byte[] frame, bool droppable)
    {
        lock (_lock)
        {
            if (_queued >= capacityFrames)
            {
                return false;
            }

            _queued++;
            _droppable += droppable ? 1 : 0;
        }

        observer.Tell(new Sent(frame, droppable));
        return true;
    }

    /// <summary>Frees the room the droppable frames took; the others stay counted, as the real queue keeps them.</summary>
    public int DropDroppable()
    {
        int dropped;
        lock (_lock)
        {
            dropped = _droppable;
            _queued -= _droppable;
            _droppable = 0;
        }

        observer.Tell(Cleared.Instance);
        return dropped;
    }

    /// <summary>Stands for the client reading everything queued: the room is free again, and an actor that asked
    /// to be told (<see cref="NotifyWhenDrained"/>) is.</summary>
    public void Drain()
    {
        IActorRef? waiter;
        lock (_lock)
        {
            _queued = 0;
            _droppable = 0;
            waiter = _drainWaiter;
            _drainWaiter = null;
        }

        waiter?.Tell(ConnectionProtocol.OutboundDrained.Instance);
    }

    /// <summary>Signals at once when nothing is queued, else at the next <see cref="Drain"/>.</summary>
    public void NotifyWhenDrained(IActorRef connection)
    {
        lock (_lock)
        {
            if (_queued > 0)
            {
                _drainWaiter = connection;
                return;
            }
        }

        connection.Tell(ConnectionProtocol.OutboundDrained.Instance);
    }

    public void Close(int closeCode, string reason) => observer.Tell(new Closed(closeCode, reason));

    public void RequestCompleted() => observer.Tell(Completed.Instance);

    public sealed record Sent(byte[] Frame, bool Droppable);

    public sealed record Closed(int Code, string Reason);

    public sealed record Cleared
    {
        public static readonly Cleared Instance = new();

        private Cleared()
        {
        }
    }

    public sealed record Completed
    {
        public static readonly Completed Instance = new();

        private Completed()
        {
        }
    }
}
