using Akka.Actor;
using Akka.Persistence;

namespace MwgActors.Actors.Tests.Locks;

/// <summary>Replays a persistence id's events, ignoring snapshots, to see what the journal still holds.</summary>
internal sealed class JournalReader : ReceivePersistentActor
{
    private readonly List<object> _events = [];

    public JournalReader(string persistenceId, TaskCompletionSource<IReadOnlyList<object>> replayed)
    {
        PersistenceId = persistenceId;
        Recover<RecoveryCompleted>(_ =>
        {
            replayed.TrySetResult(_events);
            Context.Stop(Self);
        });
        RecoverAny(_events.Add);
    }

    public override string PersistenceId { get; }

    public override Recovery Recovery => new(SnapshotSelectionCriteria.None);
}

internal static class Journal
{
    /// <summary>The events the journal holds for <paramref name="persistenceId"/>, snapshots ignored.</summary>
    public static Task<IReadOnlyList<object>> Replay(ActorSystem system, string persistenceId)
    {
        var replayed = new TaskCompletionSource<IReadOnlyList<object>>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new JournalReader(persistenceId, replayed)));
        return replayed.Task.WaitAsync(TimeSpan.FromSeconds(1));
    }
}
