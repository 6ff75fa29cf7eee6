using Akka.Actor;
using MwgActors.Protocol;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Subscriptions;

/// <summary>One subscription's state inside the subscription actor (not thread-safe, owned by the actor).</summary>
internal sealed class Subscription
{
    // Its own prefixes, to filter replayed events for it alone; built on the first replayed event only,
    // as most subscriptions never replay more than the head.
    private PrefixTrie<byte[]>? _ownPrefixes;

    public Subscription(IActorRef subscriber, long id, IReadOnlyList<byte[]> prefixes, bool includeValues)
    {
        Subscriber = subscriber;
        Id = id;
        Prefixes = prefixes;
        IncludeValues = includeValues;
    }

    public IActorRef Subscriber { get; }

    public long Id { get; }

    /// <summary>Distinct prefixes, copied from the request.</summary>
    public IReadOnlyList<byte[]> Prefixes { get; }

    public bool IncludeValues { get; }

    /// <summary>Its share of the subscriptions' memory budget (<see cref="SubscriptionMemory.Estimate"/>).</summary>
    public long EstimatedBytes { get; init; }

    /// <summary>The subscriber paces its replay (<see cref="SubscriptionProtocol.ReplayChunkSent"/>).</summary>
    public bool PacedReplay { get; init; }

    /// <summary>True when the key is under one of the subscription's prefixes.</summary>
    public bool Matches(ReadOnlySpan<byte> key)
    {
        if (_ownPrefixes is null)
        {
            _ownPrefixes = new PrefixTrie<byte[]>();
            foreach (var prefix in Prefixes)
            {
                _ownPrefixes.Add(prefix, prefix);
            }
        }

        return _ownPrefixes.HasMatch(key);
    }

    /// <summary>Set while it catches up from the journal; null once live.</summary>
    public CatchUp? CatchUp { get; set; }

    /// <summary>
    /// The journal position it went live at. The journal can be ahead of the bus (a batch is journaled before it is
    /// published), so a live change at or below this revision was already delivered from the journal and is skipped.
    /// </summary>
    public long LiveAfter { get; set; }

    // Scratch used while one batch (or one forced reload) is matched: the stamp of the last key (item) that
    // matched, so overlapping prefixes of this subscription add a key once, and what matched so far (BatchChanges).
    public long LastMatchStamp { get; set; }

    /// <summary>Operations of the batch matched so far; while <see cref="PendingChanges"/> is null they are its first ones.</summary>
    public int PendingCount { get; set; }

    /// <summary>Its own list, once its matches in the batch have a gap.</summary>
    public List<Change>? PendingChanges { get; set; }

    public List<byte[]>? PendingReload { get; set; }
}

/// <summary>
/// A subscription reading the journal before it goes live. Live notifications that match it meanwhile are
/// buffered (up to a bound); at the seam those after <see cref="Position"/> are delivered, then it is live.
/// </summary>
internal sealed class CatchUp(long token, IActorRef replyTo, long? afterRevision)
{
    public long Token { get; } = token;

    /// <summary>Receives <see cref="SubscriptionOpened"/> or <see cref="OpenSubscriptionFailed"/>.</summary>
    public IActorRef ReplyTo { get; } = replyTo;

    /// <summary>False until the first read, when the subscription started without a resume point: that read only learns the head.</summary>
    public bool HasPosition { get; set; } = afterRevision.HasValue;

    /// <summary>Last revision delivered (or skipped as not matching) from the journal; may be beyond the journal's newest
    /// (a resume point the log never reached), up to <see cref="long.MaxValue"/>.</summary>
    public long Position { get; set; } = Math.Max(0, afterRevision ?? 0);

    /// <summary>Events received in the current read.</summary>
    public int ReadCount { get; set; }

    /// <summary>The current read skipped revisions: they were deleted from the journal.</summary>
    public bool Gap { get; set; }

    /// <summary>The live buffer overflowed and was dropped: read the journal again before going live.</summary>
    public bool Overflowed { get; set; }

    public List<SubscribedKeysChanged> Buffer { get; } = [];

    /// <summary>Bytes counted for <see cref="Buffer"/> against mwg.subscriptions.max-catch-up-buffer-bytes.</summary>
    public long BufferBytes { get; set; }

    /// <summary>Forced reloads that arrived meanwhile, pushed at the seam.</summary>
    public List<byte[]> PendingReloads { get; } = [];

    public IActorRef? Reader { get; set; }

    /// <summary>A chunk was replayed and the subscriber asked whether it has room for the next (paced replay).</summary>
    public bool AwaitingContinue { get; set; }

    /// <summary>Revisions read from the journal at a time.</summary>
    public int ChunkSize { get; init; } = 1;
}
