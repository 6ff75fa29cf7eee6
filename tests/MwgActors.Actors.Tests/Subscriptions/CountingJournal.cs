using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>The in-memory journal, counting the events it replays (one count per actor system).</summary>
public sealed class CountingJournal : MemoryJournal
{
    private static readonly ConcurrentDictionary<string, StrongBox<long>> Replayed = new();

    public static long ReplayedEvents(ActorSystem system) => Interlocked.Read(ref Counter(system.Name).Value);

    public static void Forget(ActorSystem system) => Replayed.TryRemove(system.Name, out _);

    public override Task ReplayMessagesAsync(
        IActorContext context,
        string persistenceId,
        long fromSequenceNr,
        long toSequenceNr,
        long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        var counter = Counter(context.System.Name);
        return base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, message =>
        {
            Interlocked.Increment(ref counter.Value);
            recoveryCallback(message);
        });
    }

    private static StrongBox<long> Counter(string system) => Replayed.GetOrAdd(system, _ => new StrongBox<long>());
}
