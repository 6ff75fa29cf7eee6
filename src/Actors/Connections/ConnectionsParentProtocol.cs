using Akka.Actor;

namespace MwgActors.Actors.Connections;

/// <summary>Messages of <see cref="ConnectionsParentActor"/>: the gateway asks it for one actor per socket.</summary>
public static class ConnectionsParentProtocol
{
    private static long _lastTicket;

    /// <summary>A ticket unique in the process, which names the connection actor (<c>connection-N</c>).</summary>
    public static long NextTicket() => Interlocked.Increment(ref _lastTicket);

    /// <summary>Start a connection actor from <paramref name="Props"/>; answered with <see cref="ConnectionStarted"/>.</summary>
    /// <param name="Ticket">From <see cref="NextTicket"/>: it names the actor, so an asker that gave up can abandon it.</param>
    public sealed record StartConnection(Props Props, long Ticket);

    /// <summary>
    /// The asker of <see cref="StartConnection"/> gave up waiting (timeout, aborted request): the actor, if it was
    /// started, is stopped, so no connection actor lives on without a socket. Sent after the start, so it is handled
    /// after it.
    /// </summary>
    public sealed record AbandonConnection(long Ticket);

    /// <summary>The connection actor, started under the parent with a name unique in the system.</summary>
    public sealed record ConnectionStarted(IActorRef Connection);
}
