using Akka.Actor;
using MwgActors.Storage;

namespace MwgActors.Actors.Storage;

/// <summary>Messages of the storage actor and its readers. A revision is the journal sequence number of a batch.</summary>
public static class StorageProtocol
{
    // Requests carry a CorrelationId chosen by the caller and echoed in the reply, so a connection can match
    // replies that come back out of order (reads are served by a pool) without an Ask per request.

    /// <summary>
    /// Reads a batch of keys from the view, each distinct key once. Replied with <see cref="KeysRead"/>, or
    /// <see cref="StorageFailed"/> (<see cref="StorageFailure.ReplyTooLarge"/> when the values would pass
    /// <paramref name="Budget"/>: reading stopped there).
    /// </summary>
    /// <param name="MinRevision">
    /// Read-your-writes across nodes: in cluster mode the read waits (up to mwg.cluster.read-wait-timeout) until the
    /// node's view has applied at least this revision. 0 = no wait. A single node's view is always current.
    /// </param>
    /// <param name="Budget">What the reply may cost; null = no bound (the in-process API).</param>
    public sealed record ReadKeys(IReadOnlyList<byte[]> Keys, long CorrelationId = 0, long MinRevision = 0, ReplyBudget? Budget = null);

    /// <summary>Values in key order; null for a missing key. <paramref name="Revision"/> is the view's revision when read.</summary>
    public sealed record KeysRead(IReadOnlyList<byte[]?> Values, long Revision, long CorrelationId = 0);

    /// <summary>
    /// Writes one atomic batch. Replied with <see cref="BatchCommitted"/> once durable, or <see cref="StorageFailed"/>.
    /// Removes of keys that do not exist are left out (no revision, no notification), as etcd does.
    /// </summary>
    public sealed record WriteBatch(IReadOnlyList<BatchOperation> Operations, long CorrelationId = 0);

    /// <summary>
    /// The batch is in the journal and applied to the view under <paramref name="Revision"/>. A batch that changed
    /// nothing (only removes of absent keys) was not journaled: <paramref name="Revision"/> is then the current one.
    /// </summary>
    /// <param name="Changed">How many of the batch's operations changed the store (a remove of an absent key does not);
    /// null when not known.</param>
    public sealed record BatchCommitted(long Revision, long CorrelationId = 0, int? Changed = null);

    /// <summary>Asks for the latest committed revision. Replied with <see cref="CurrentRevision"/>.</summary>
    public sealed record GetCurrentRevision
    {
        public static readonly GetCurrentRevision Instance = new();

        private GetCurrentRevision()
        {
        }
    }

    public sealed record CurrentRevision(long Revision);

    /// <summary>
    /// Enumerates the pairs under a prefix in key order (the HTTP key listing), stopping after <paramref name="MaxPairs"/>
    /// pairs or once the keys and values read reach <paramref name="MaxBytes"/> (the pair that crosses it is kept, so
    /// one pair always fits). Replied with <see cref="PrefixScanned"/>.
    /// </summary>
    public sealed record ScanPrefix(byte[] Prefix, int MaxPairs, long MaxBytes = long.MaxValue);

    /// <summary>
    /// At most MaxPairs pairs; <paramref name="Truncated"/> when more were left. The pairs are at least as new as
    /// <paramref name="Revision"/>: a subscriber that resumes after it misses nothing the listing lacks.
    /// </summary>
    public sealed record PrefixScanned(IReadOnlyList<KeyValuePair<byte[], byte[]>> Pairs, bool Truncated, long Revision);

    /// <summary>Asks for the reader pool, to send <see cref="ReadKeys"/> and <see cref="ScanPrefix"/> to it directly so reads
    /// never queue behind writes in the storage actor's mailbox. Replied with <see cref="Readers"/>.</summary>
    public sealed record GetReaders
    {
        public static readonly GetReaders Instance = new();

        private GetReaders()
        {
        }
    }

    /// <param name="LocalView">The view itself when the caller may read it in-process (null: use the pool).</param>
    public sealed record Readers(IActorRef Pool, SharedView? LocalView = null);

    /// <summary>The request could not be served. <paramref name="Retryable"/> when trying again later may succeed.</summary>
    public sealed record StorageFailed(StorageFailure Reason, bool Retryable, long CorrelationId = 0);
}

public enum StorageFailure
{
    /// <summary>The storage actor is recovering or stopping.</summary>
    Unavailable,

    /// <summary>The journal refused or failed the write; nothing was applied.</summary>
    WriteFailed,

    /// <summary>The view could not be read.</summary>
    ReadFailed,

    /// <summary>The values read would pass the read's <see cref="ReplyBudget"/>; reading stopped there. Not retryable.</summary>
    ReplyTooLarge,
}
