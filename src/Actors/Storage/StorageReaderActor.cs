using Akka.Actor;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Storage;

/// <summary>
/// Serves batched reads from the view. Several readers share the store handle (the store's contract allows
/// concurrent readers) and run on their own dispatcher, so reads never wait behind the writer.
/// </summary>
public sealed class StorageReaderActor : ReceiveActor
{
    public StorageReaderActor(IKeyValueStore store)
    {
        Receive<ReadKeys>(read =>
        {
            // Read the revision first: the values are at least as new as the revision reported.
            var revision = store.AppliedRevision;
            var values = Reply(read.CorrelationId, () => store.Get(read.Keys));
            Sender.Tell(new KeysRead(values, revision, read.CorrelationId));
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
