using Akka.Actor;
using Akka.Persistence;

namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// Reads one bounded range of the storage journal with Akka's journal protocol and forwards it to its parent,
/// tagged with the catch-up it serves, then stops. One reader per request keeps concurrent catch-ups apart.
/// </summary>
internal sealed class JournalReader : ReceiveActor
{
    private readonly IActorRef _journal;
    private readonly ReplayMessages _request;
    private readonly long _token;

    public JournalReader(IActorRef journal, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, long token)
    {
        _journal = journal;
        _token = token;
        _request = new ReplayMessages(fromSequenceNr, toSequenceNr, max, persistenceId, Self);

        Receive<ReplayedMessage>(m =>
            Context.Parent.Tell(new Replayed(_token, m.Persistent.SequenceNr, m.Persistent.Payload)));
        Receive<RecoverySuccess>(m =>
        {
            Context.Parent.Tell(new ReplayEnded(_token, m.HighestSequenceNr));
            Context.Stop(Self);
        });
        Receive<ReplayMessagesFailure>(m =>
        {
            Context.Parent.Tell(new ReplayFailed(_token, m.Cause));
            Context.Stop(Self);
        });
    }

    /// <summary>
    /// Reads events <paramref name="fromSequenceNr"/>..<paramref name="toSequenceNr"/>, at most <paramref name="max"/>.
    /// A <paramref name="toSequenceNr"/> of 0 reads nothing and only reports the highest sequence number.
    /// </summary>
    public static Props Props(IActorRef journal, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, long token) =>
        Akka.Actor.Props.Create(() => new JournalReader(journal, persistenceId, fromSequenceNr, toSequenceNr, max, token));

    protected override void PreStart() => _journal.Tell(_request);

    /// <summary>One event of the range, in sequence order.</summary>
    internal sealed record Replayed(long Token, long SequenceNr, object Payload);

    /// <summary>The range is done; <paramref name="HighestSequenceNr"/> is the journal's highest for the persistence id.</summary>
    internal sealed record ReplayEnded(long Token, long HighestSequenceNr);

    internal sealed record ReplayFailed(long Token, Exception Cause);
}
