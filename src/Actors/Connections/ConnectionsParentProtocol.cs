using Akka.Actor;

namespace MwgActors.Actors.Connections;

/// <summary>Messages of <see cref="ConnectionsParentActor"/>: the gateway asks it for one actor per socket.</summary>
public static class ConnectionsParentProtocol
{
    /// <summary>Start a connection actor from <paramref name="Props"/>; answered with <see cref="ConnectionStarted"/>.</summary>
    public sealed record StartConnection(Props Props);

    /// <summary>The connection actor, started under the parent with a name unique in the system.</summary>
    public sealed record ConnectionStarted(IActorRef Connection);
}
