using Akka.Actor;
using static MwgActors.Actors.Connections.ConnectionsParentProtocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The parent of every connection actor (<c>/user/mwg-connections</c>). A connection actor that throws is stopped,
/// never restarted: its codec is disposed in PostStop, and a fresh instance would know none of the requests its
/// client is waiting on. Its death is the one signal everything else follows: the socket side watches it and closes
/// with 1011, the lock actor starts the grace of its leases, the subscription actor drops its subscriptions.
/// </summary>
public sealed class ConnectionsParentActor : ReceiveActor
{
    public ConnectionsParentActor()
    {
        // Named by a ticket unique in the process, so names stay unique however many endpoints share the system.
        Receive<StartConnection>(start => Sender.Tell(new ConnectionStarted(Context.ActorOf(start.Props, NameOf(start.Ticket)))));
        Receive<AbandonConnection>(abandon =>
        {
            if (!Context.Child(NameOf(abandon.Ticket)).IsNobody())
            {
                Context.Stop(Context.Child(NameOf(abandon.Ticket)));
            }
        });
    }

    private static string NameOf(long ticket) => $"connection-{ticket}";

    /// <summary>Stop the child that failed, whatever it threw; the failure is logged with its exception.</summary>
    public static SupervisorStrategy StopFailedConnection { get; } = new OneForOneStrategy(_ => Directive.Stop);

    public static Props Props() => Akka.Actor.Props.Create(() => new ConnectionsParentActor());

    protected override SupervisorStrategy SupervisorStrategy() => StopFailedConnection;
}
