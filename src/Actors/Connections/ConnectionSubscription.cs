namespace MwgActors.Actors.Connections;

/// <summary>Where one of the connection's subscriptions is in its life; see <see cref="ConnectionSubscription"/>.</summary>
internal enum SubscriptionState
{
    /// <summary>The client's subscribe went to the subscription actor, not confirmed yet; its replay is delivered.</summary>
    Requested,

    /// <summary>Confirmed; notifications are delivered.</summary>
    Live,

    /// <summary>The client asked to unsubscribe; notifications are delivered until the subscription actor confirms.</summary>
    Unsubscribing,

    /// <summary>The token expired: the subscription actor was asked to pause it; what still arrives is dropped (the resume replays it).</summary>
    Pausing,

    /// <summary>Paused at the subscription actor, which holds nothing for it; the connection remembers where it stopped.</summary>
    Paused,

    /// <summary>Subscribed again right after the last delivered revision; its replay is delivered.</summary>
    Resuming,

    /// <summary>Gone: refused, failed, timed out, unsubscribed or revoked.</summary>
    Closed,
}

/// <summary>
/// What a connection remembers of one of its subscriptions, and where it is in its life. Every change of state goes
/// through <see cref="Transition"/>, which throws on a change the diagram does not have:
/// <code>
///                     subscribe
///                         |
///                         v
///                    [Requested] ---- refused, failed, timed out ----> [Closed]
///                         | confirmed                                     ^
///                         v                                               |
///      +------------->  [Live] -------- unsubscribe -----+                |
///      |                  | token expired                v                |
///      |                  v                       [Unsubscribing] --------+ confirmed
///      |  +---------> [Pausing] ---- unsubscribe ------->^
///      |  |               | paused                       |
///      |  |               v                              |
///      |  |  +------>  [Paused] ------ unsubscribe ------+
///      |  |  | not       | new token                     |
///      |  |  | taken     v                               |
///      |  |  +------ [Resuming] ------ unsubscribe ------+
///      |  | token expired |
///      |  +---------------+
///      +------------------+ confirmed
///
///   revoked (a new token does not allow it): Live, Pausing, Paused, Resuming -> Closed
/// </code>
/// A subscribe confirmed while the token has expired goes on from Live to Pausing at once; a pause confirmed once a new
/// token came goes on from Paused to Resuming at once (a resume waits for the pause: what arrives before it is dropped).
/// </summary>
internal sealed class ConnectionSubscription(long id, IReadOnlyList<byte[]> prefixes, bool includeValues)
{
    public long Id { get; } = id;

    public IReadOnlyList<byte[]> Prefixes { get; } = prefixes;

    public bool IncludeValues { get; } = includeValues;

    /// <summary>Its share of <c>mwg.protocol.max-prefix-bytes-per-connection</c>.</summary>
    public long PrefixBytes { get; } = BytesOf(prefixes);

    public SubscriptionState State { get; private set; } = SubscriptionState.Requested;

    /// <summary>The client's request awaiting an answer (in <see cref="RequestTable"/>): the subscribe while Requested,
    /// the unsubscribe while Unsubscribing; in other states, the last one's (no longer pending, never looked up).</summary>
    public long Correlation { get; set; }

    /// <summary>The last revision delivered (or replayed up to); null until the subscription actor confirms it.</summary>
    public long? LastRevision { get; private set; }

    /// <summary>Notifications of its replay were dropped by an outbound overflow before it was confirmed: the
    /// client gets ReloadAll right after the subscribe reply (it cannot know the id before).</summary>
    public bool ReloadWhenConfirmed { get; set; }

    /// <summary>Notifications that arrive now go to the client (and count as delivered).</summary>
    public bool Delivers => State is SubscriptionState.Requested or SubscriptionState.Live or SubscriptionState.Resuming or SubscriptionState.Unsubscribing;

    /// <summary>The client knows its id: it was confirmed and is not gone.</summary>
    public bool IsKnownToClient => State is not (SubscriptionState.Requested or SubscriptionState.Closed);

    public static long BytesOf(IReadOnlyList<byte[]> prefixes)
    {
        long bytes = 0;
        foreach (var prefix in prefixes)
        {
            bytes += prefix.Length;
        }

        return bytes;
    }

    public static bool IsAllowed(SubscriptionState from, SubscriptionState to) => (from, to) switch
    {
        (SubscriptionState.Requested, SubscriptionState.Live or SubscriptionState.Closed) => true,
        (SubscriptionState.Live, SubscriptionState.Unsubscribing or SubscriptionState.Pausing or SubscriptionState.Closed) => true,
        (SubscriptionState.Unsubscribing, SubscriptionState.Closed) => true,
        (SubscriptionState.Pausing, SubscriptionState.Paused or SubscriptionState.Unsubscribing or SubscriptionState.Closed) => true,
        (SubscriptionState.Paused, SubscriptionState.Resuming or SubscriptionState.Unsubscribing or SubscriptionState.Closed) => true,
        (SubscriptionState.Resuming, SubscriptionState.Live or SubscriptionState.Paused or SubscriptionState.Pausing or SubscriptionState.Unsubscribing or SubscriptionState.Closed) => true,
        _ => false,
    };

    /// <summary>Moves to <paramref name="to"/>; throws when the diagram has no such change (a bug, not a client's doing).</summary>
    public void Transition(SubscriptionState to)
    {
        if (!IsAllowed(State, to))
        {
            throw new InvalidOperationException($"Subscription {Id}: no transition from {State} to {to}");
        }

        State = to;
    }

    public void Delivered(long revision) => LastRevision = Math.Max(LastRevision ?? revision, revision);
}
