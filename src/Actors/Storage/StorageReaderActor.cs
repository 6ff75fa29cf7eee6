using Akka.Actor;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Storage;

/// <summary>
/// Serves batched reads from the view. Several readers share the store handle (the store's contract allows
/// concurrent readers) and run on their own dispatcher, so reads never wait behind the writer.
/// </summary>
/// <remarks>
/// A read whose <see cref="ReadKeys.MinRevision"/> the view has not reached yet goes to the view that follows the
/// journal in cluster mode (the revision waiter), which sends it back once the view is there. Without
/// one (a single node, whose view is written before any write is acknowledged) it is served at once.
/// </remarks>
public sealed class StorageReaderActor : ReceiveActor
{
    public StorageReaderActor(IKeyValueStore store)
        : this(store, null)
    {
    }

    public StorageReaderActor(IKeyValueStore store, IActorRef? revisionWaiter)
    {
        Receive<ReadKeys>(read =>
        {
            // Read the revision first: the values are at least as new as the revision reported.
            var revision = store.AppliedRevision;
            if (revision < read.MinRevision && revisionWaiter is not null)
            {
                revisionWaiter.Forward(read);
                return;
            }

            var values = Reply(read.CorrelationId, () => BoundedGet.Read(store, read.Keys, read.Budget));
            Sender.Tell(values is null
                ? new StorageFailed(StorageFailure.ReplyTooLarge, Retryable: false, read.CorrelationId)
                : new KeysRead(values, revision, read.CorrelationId));
        });

        Receive<ScanPrefix>(scan =>
        {
            // As for ReadKeys: the revision first, so the pairs are at least that new.
            var revision = store.AppliedRevision;
            var pairs = new List<KeyValuePair<byte[], byte[]>>();
            var truncated = false;
            var bytes = 0L;
            Reply(0, () =>
            {
                foreach (var pair in store.ScanPrefix(scan.Prefix))
                {
                    if (pairs.Count == scan.MaxPairs || bytes >= scan.MaxBytes)
                    {
                        truncated = true;
                        break;
                    }

                    pairs.Add(pair);
                    bytes += pair.Key.Length + pair.Value.Length;
                }

                return pairs;
            });
            Sender.Tell(new PrefixScanned(pairs, truncated, revision));
        });
    }

    public static Props Props(IKeyValueStore store) => Akka.Actor.Props.Create(() => new StorageReaderActor(store));

    /// <summary>A reader that hands reads for a revision the view has not reached to <paramref name="revisionWaiter"/>.</summary>
    public static Props Props(IKeyValueStore store, IActorRef revisionWaiter) =>
        Akka.Actor.Props.Create(() => new StorageReaderActor(store, revisionWaiter));

    /// <summary>Tells the caller the read failed before the supervisor restarts this reader.</summary>
    private T Reply<T>(long correlationId, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception)
        {
            Sender.Tell(new StorageFailed(StorageFailure.ReadFailed, Retryable: true, correlationId));
            throw;
        }
    }
}
