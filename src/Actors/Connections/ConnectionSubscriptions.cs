using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The subscriptions of one connection by id, each with its state (<see cref="ConnectionSubscription"/>). The methods
/// are the events the connection actor sees; each makes the checked transition and says what the actor should do.
/// </summary>
/// <remarks>Plain state, used by the connection actor only (not thread-safe).</remarks>
internal sealed class ConnectionSubscriptions
{
    private readonly Dictionary<long, ConnectionSubscription> _byId = [];
    private long _nextId;

    /// <summary>Every subscription held (requested, live, paused, ...): at most max-subscriptions-per-connection of them.</summary>
    public int Count => _byId.Count;

    /// <summary>The prefix bytes held by all of them (bounded by max-prefix-bytes-per-connection).</summary>
    public long PrefixBytes { get; private set; }

    public IEnumerable<ConnectionSubscription> All => _byId.Values;

    /// <summary>Why a subscribe to <paramref name="prefixes"/> may not be taken under <paramref name="limits"/>, or null when it may.</summary>
    public SubscribeRefusal? RefusalOf(IReadOnlyList<byte[]> prefixes, ProtocolLimits limits)
    {
        if (Count >= limits.MaxSubscriptionsPerConnection)
        {
            return new(ErrorCode.TooManySubscriptions, "too many subscriptions on this connection", "mwg.protocol.max-subscriptions-per-connection");
        }

        // The decoder already bounds one subscribe's prefixes; this bounds what the connection holds in all.
        if (prefixes.Count > limits.MaxPrefixesPerSubscription)
        {
            return new(ErrorCode.TooManyPrefixes, "too many prefixes in one subscription", "mwg.protocol.max-prefixes-per-subscription");
        }

        if (PrefixBytes + ConnectionSubscription.BytesOf(prefixes) > limits.MaxPrefixBytesPerConnection)
        {
            return new(ErrorCode.TooManyPrefixes, "too many prefix bytes on this connection", "mwg.protocol.max-prefix-bytes-per-connection");
        }

        return null;
    }

    /// <summary>A new subscription for the client's subscribe, Requested, waiting under <paramref name="correlation"/>.</summary>
    public ConnectionSubscription Add(IReadOnlyList<byte[]> prefixes, bool includeValues, long correlation = 0)
    {
        var subscription = new ConnectionSubscription(++_nextId, prefixes, includeValues) { Correlation = correlation };
        _byId.Add(subscription.Id, subscription);
        PrefixBytes += subscription.PrefixBytes;
        return subscription;
    }

    public bool TryGet(long id, out ConnectionSubscription subscription) => _byId.TryGetValue(id, out subscription!);

    /// <summary>The subscription actor confirmed <paramref name="id"/> live up to <paramref name="revision"/>.</summary>
    /// <returns>The subscription when the client's subscribe is to be answered (it was Requested), else null: a resume
    /// needs no answer, and a confirmation that crossed a pause or an unsubscribe changes nothing.</returns>
    public ConnectionSubscription? Confirmed(long id, long revision)
    {
        if (!_byId.TryGetValue(id, out var subscription))
        {
            return null;
        }

        switch (subscription.State)
        {
            case SubscriptionState.Requested:
                subscription.Transition(SubscriptionState.Live);
                subscription.Delivered(revision);
                return subscription;
            case SubscriptionState.Resuming:
                subscription.Transition(SubscriptionState.Live);
                subscription.Delivered(revision);
                return null;
            default:
                return null;
        }
    }

    /// <summary>The subscription actor did not take a subscribe of <paramref name="id"/> (refused or failed).</summary>
    public NotTakenOutcome NotTaken(long id, out ConnectionSubscription? subscription)
    {
        if (!_byId.TryGetValue(id, out subscription))
        {
            return NotTakenOutcome.Unknown;
        }

        switch (subscription.State)
        {
            case SubscriptionState.Requested:
                Close(subscription);
                return NotTakenOutcome.AnswerClient;
            case SubscriptionState.Resuming:
                subscription.Transition(SubscriptionState.Paused);
                return NotTakenOutcome.RetryResume;
            default:
                return NotTakenOutcome.Ignored;
        }
    }

    /// <summary>
    /// The client's subscribe or unsubscribe of <paramref name="correlation"/> timed out (the client was answered
    /// Timeout): the subscription is dropped here, and its id returned so the subscription actor is told to drop it
    /// too (it may have taken it after all); its late answer then finds nothing. Null when no subscription waited on it.
    /// </summary>
    public long? RequestTimedOut(long correlation)
    {
        foreach (var subscription in _byId.Values)
        {
            if (subscription.Correlation == correlation
                && subscription.State is SubscriptionState.Requested or SubscriptionState.Unsubscribing)
            {
                Close(subscription);
                return subscription.Id;
            }
        }

        return null;
    }

    /// <summary>The client may unsubscribe <paramref name="id"/>: it knows the id and is not unsubscribing it already.</summary>
    public bool TryStartUnsubscribe(long id, out ConnectionSubscription subscription) =>
        _byId.TryGetValue(id, out subscription!) && subscription.IsKnownToClient && subscription.State != SubscriptionState.Unsubscribing;

    /// <summary>The client's unsubscribe went to the subscription actor under <paramref name="correlation"/>.</summary>
    public static void Unsubscribing(ConnectionSubscription subscription, long correlation)
    {
        subscription.Transition(SubscriptionState.Unsubscribing);
        subscription.Correlation = correlation;
    }

    /// <summary>The subscription actor confirmed an unsubscribe: the subscription the client asked to end, or null.</summary>
    public ConnectionSubscription? Unsubscribed(long id)
    {
        if (!_byId.TryGetValue(id, out var subscription) || subscription.State != SubscriptionState.Unsubscribing)
        {
            // A revoked subscription was taken out already.
            return null;
        }

        Close(subscription);
        return subscription;
    }

    /// <summary>The token expired: true when the subscription actor must be asked to pause it (it delivers now).</summary>
    public static bool Pause(ConnectionSubscription subscription)
    {
        if (subscription.State is not (SubscriptionState.Live or SubscriptionState.Resuming))
        {
            return false;
        }

        subscription.Transition(SubscriptionState.Pausing);
        return true;
    }

    /// <summary>The subscription actor confirmed a pause: the subscription, now Paused, or null.</summary>
    public ConnectionSubscription? PauseConfirmed(long id)
    {
        if (!_byId.TryGetValue(id, out var subscription) || subscription.State != SubscriptionState.Pausing)
        {
            return null;
        }

        subscription.Transition(SubscriptionState.Paused);
        return subscription;
    }

    /// <summary>A valid token again: true when the subscription is to be subscribed again after its last revision.
    /// One still pausing resumes once the pause is confirmed.</summary>
    public static bool Resume(ConnectionSubscription subscription)
    {
        if (subscription.State != SubscriptionState.Paused)
        {
            return false;
        }

        subscription.Transition(SubscriptionState.Resuming);
        return true;
    }

    /// <summary>A new token does not allow the subscription: it ends now. True when the subscription actor still
    /// holds it (live or resuming) and must be told to drop it.</summary>
    public bool Revoke(ConnectionSubscription subscription)
    {
        var held = subscription.State is SubscriptionState.Live or SubscriptionState.Resuming;
        Close(subscription);
        return held;
    }

    /// <summary>May a new token revoke it: it is confirmed and the client is not ending it already.</summary>
    public static bool IsRevocable(ConnectionSubscription subscription) =>
        subscription.State is SubscriptionState.Live or SubscriptionState.Pausing or SubscriptionState.Paused or SubscriptionState.Resuming;

    /// <summary>
    /// The outbound queue overflowed and dropped notifications: the ids the client knows get a ReloadAll now, those
    /// still Requested one right after their subscribe reply.
    /// </summary>
    public void Overflowed(List<long> reloadNow)
    {
        reloadNow.Clear();
        foreach (var subscription in _byId.Values)
        {
            if (subscription.State == SubscriptionState.Requested)
            {
                subscription.ReloadWhenConfirmed = true;
            }
            else
            {
                reloadNow.Add(subscription.Id);
            }
        }
    }

    private void Close(ConnectionSubscription subscription)
    {
        subscription.Transition(SubscriptionState.Closed);
        _byId.Remove(subscription.Id);
        PrefixBytes -= subscription.PrefixBytes;
    }
}

/// <summary>What to do when the subscription actor did not take a subscribe.</summary>
internal enum NotTakenOutcome
{
    /// <summary>Not one of the connection's subscriptions (the G1 push subscription, or one gone meanwhile).</summary>
    Unknown,

    /// <summary>The client's subscribe is answered with the reason; the subscription is gone.</summary>
    AnswerClient,

    /// <summary>A resume: the subscription stays paused and the resume is tried again shortly.</summary>
    RetryResume,

    /// <summary>It crossed an unsubscribe or a pause: nothing to do.</summary>
    Ignored,
}

/// <summary>A subscribe refused by a connection limit: the error the client gets, and the setting it exceeded.</summary>
internal sealed record SubscribeRefusal(ErrorCode Code, string Reason, string Setting);
