using Akka.Actor;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Connections;
using static MwgActors.Actors.Connections.ConnectionsParentProtocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>
/// The parent of the connection actors: a child that throws is stopped, never restarted (a restart would run a
/// connection whose codec was disposed in PostStop), and the parent goes on starting children with unique names.
/// </summary>
public sealed class ConnectionsParentActorSpec : TestKit
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public ConnectionsParentActorSpec()
        : base("akka.loglevel = OFF")
    {
    }

    [Fact]
    public async Task A_connection_that_throws_should_be_stopped_not_restarted_and_the_parent_should_keep_starting_others()
    {
        var parent = Sys.ActorOf(ConnectionsParentActor.Props(), "connections");
        var first = await StartAsync(parent, "first");
        await ExpectMsgAsync("started first");
        Watch(first);

        first.Tell(ThrowingConnection.Fail);

        // Stopped, then Terminated; a restart would stop it too, but start it again instead of terminating it.
        await ExpectMsgAsync("stopped first");
        await ExpectTerminatedAsync(first);

        var second = await StartAsync(parent, "second");
        await ExpectMsgAsync("started second");
        Assert.NotEqual(first.Path.Name, second.Path.Name);
        Assert.Equal(parent.Path, second.Path.Parent);

        second.Tell("ping");
        await ExpectMsgAsync("pong second");
    }

    [Fact]
    public async Task A_connection_that_throws_should_be_stopped_by_the_parent_strategy_whatever_the_exception()
    {
        // The default strategy restarts on anything but initialization and kill failures; this one never does.
        foreach (var exception in new Exception[] { new InvalidOperationException(), new ArgumentException(), new ObjectDisposedException("codec") })
        {
            Assert.Equal(Directive.Stop, ConnectionsParentActor.StopFailedConnection.Decider.Decide(exception));
        }
    }

    [Fact]
    public async Task A_connection_whose_asker_gave_up_should_be_stopped_when_abandoned()
    {
        // The gateway's ask timed out or its request was aborted after the parent had started the actor: without the
        // abandon it would live on with no socket (its timers running, its codec never disposed).
        var parent = Sys.ActorOf(ConnectionsParentActor.Props(), "connections");
        var ticket = NextTicket();
        parent.Tell(new StartConnection(ThrowingConnection.Props(TestActor, "orphan"), ticket), ActorRefs.NoSender);
        parent.Tell(new AbandonConnection(ticket));

        await ExpectMsgAsync("started orphan");
        await ExpectMsgAsync("stopped orphan");

        // Abandoning a ticket that started nothing, or whose actor is gone, is harmless.
        parent.Tell(new AbandonConnection(ticket));
        parent.Tell(new AbandonConnection(NextTicket()));
        var next = await StartAsync(parent, "next");
        await ExpectMsgAsync("started next");
        next.Tell("ping");
        await ExpectMsgAsync("pong next");
    }

    private async Task<IActorRef> StartAsync(IActorRef parent, string label)
    {
        var started = await parent.Ask<ConnectionStarted>(new StartConnection(ThrowingConnection.Props(TestActor, label), ConnectionsParentProtocol.NextTicket()), AskTimeout);
        return started.Connection;
    }

    /// <summary>Stands in for a connection actor: reports its start and stop, throws when told to.</summary>
    private sealed class ThrowingConnection : ReceiveActor
    {
        public const string Fail = "fail";

        private readonly IActorRef _reports;
        private readonly string _label;

        public ThrowingConnection(IActorRef reports, string label)
        {
            _reports = reports;
            _label = label;
            Receive<string>(m => m == Fail, _ => throw new InvalidOperationException("a bug in a handler"));
            Receive<string>(_ => Sender.Tell($"pong {_label}"));
        }

        public static Props Props(IActorRef reports, string label) => Akka.Actor.Props.Create(() => new ThrowingConnection(reports, label));

        protected override void PreStart() => _reports.Tell($"started {_label}");

        protected override void PostStop() => _reports.Tell($"stopped {_label}");
    }
}
