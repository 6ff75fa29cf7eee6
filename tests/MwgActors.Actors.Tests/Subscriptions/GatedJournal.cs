using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>
/// The in-memory journal, except that reading events waits for the test to open a gate (one per actor system):
/// a spec can then write live batches while a catch-up is known to be mid-read.
/// </summary>
public sealed class GatedJournal : MemoryJournal
{
    private static readonly ConcurrentDictionary<string, Gate> Gates = new();

    public static Gate For(ActorSystem system) => Gates.GetOrAdd(system.Name, _ => new Gate());

    public static void Forget(ActorSystem system) => Gates.TryRemove(system.Name, out _);

    public override async Task ReplayMessagesAsync(
        IActorContext context,
        string persistenceId,
        long fromSequenceNr,
        long toSequenceNr,
        long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        var gate = For(context.System);
        gate.Entered.TrySetResult();
        await gate.Open.Task;
        await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
    }

    public sealed class Gate
    {
        /// <summary>Completed when a read reaches the gate (the highest sequence number is already known).</summary>
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Complete it to let reads through, or fail it to fail them.</summary>
        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
