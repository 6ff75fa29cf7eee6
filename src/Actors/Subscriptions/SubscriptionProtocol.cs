using Akka.Actor;
using MwgActors.Protocol;

namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// Messages of the subscription actor. Named apart from the wire messages of <c>MwgActors.Protocol</c> (Subscribe,
/// Subscribed, ChangeNotification...), so a connection handles both without aliases.
/// </summary>
public static class SubscriptionProtocol
{
    /// <summary>
    /// Subscribes <paramref name="Subscriber"/> to the keys under <paramref name="Prefixes"/> (an empty prefix is every key).
    /// With <paramref name="AfterRevision"/>, every change after that revision is delivered first, then the live stream,
    /// with no gap and no duplicate; if that revision is no longer in the log, <see cref="ResumeTooOld"/> is pushed
    /// instead and the live stream follows; so it is when that revision is beyond the log's newest (a resume point
    /// this log never reached), without reading the log. Replied to the sender with <see cref="SubscriptionOpened"/> once live,
    /// <see cref="OpenSubscriptionFailed"/>, or <see cref="OpenSubscriptionRefused"/> when the subscriptions' memory budget has no
    /// room for it. Subscribing again with the same id replaces the subscription (a refused one leaves it in place).
    /// </summary>
    /// <param name="SubscriptionId">Chosen by the subscriber, unique per subscriber.</param>
    /// <param name="PacedReplay">The subscriber answers each <see cref="ReplayChunkSent"/> with <see cref="ContinueReplay"/>
    /// once it has room: a long replay then never outruns the subscriber's socket.</param>
    /// <param name="MaxReplayChunk">With a paced replay, the most revisions a chunk may carry (0: the configured
    /// replay-batch-size), so one chunk fits the subscriber's queue.</param>
    /// <param name="ExemptFromBudget">Counted in the memory gauge but never refused: the one fixed-size internal
    /// subscription a G1 connection needs for its pushes, so a full budget cannot silently cut original clients off.</param>
    public sealed record OpenSubscription(
        long SubscriptionId,
        IReadOnlyList<byte[]> Prefixes,
        long? AfterRevision,
        bool IncludeValues,
        IActorRef Subscriber,
        bool PacedReplay = false,
        int MaxReplayChunk = 0,
        bool ExemptFromBudget = false);

    /// <summary>
    /// Pushed to a subscriber that asked for a paced replay, after one chunk of replayed notifications when more
    /// remain: the next chunk is read once the subscriber answers <see cref="ContinueReplay"/> with this token.
    /// </summary>
    public sealed record ReplayChunkSent(long SubscriptionId, long Token);

    /// <summary>The subscriber has room for the next chunk of its replay.</summary>
    public sealed record ContinueReplay(long Token);

    /// <summary>The subscription is live; notifications up to and including <paramref name="CurrentRevision"/> were replayed if asked.</summary>
    public sealed record SubscriptionOpened(long SubscriptionId, long CurrentRevision);

    /// <summary>The change log could not be read to set up the subscription; it was dropped. Subscribing again may succeed.</summary>
    public sealed record OpenSubscriptionFailed(long SubscriptionId);

    /// <summary>
    /// The subscription was not taken, and nothing was allocated for it: <see cref="ErrorCode.Overloaded"/> when the
    /// estimated memory of all subscriptions would pass <c>mwg.subscriptions.max-memory</c>. Retry once others end.
    /// </summary>
    public sealed record OpenSubscriptionRefused(long SubscriptionId, ErrorCode Reason);

    /// <summary>Ends the subscription (nothing if there is none). Replied with <see cref="SubscriptionClosed"/>.</summary>
    public sealed record CloseSubscription(long SubscriptionId, IActorRef Subscriber);

    public sealed record SubscriptionClosed(long SubscriptionId);

    /// <summary>
    /// Pauses a subscription (its subscriber's token expired): it is dropped like an unsubscribe, freeing what it held,
    /// and the subscriber resumes it later with a <see cref="OpenSubscription"/> under the same id after the last revision it
    /// delivered. Replied with <see cref="SubscriptionPaused"/>, after any notification sent before the pause.
    /// </summary>
    public sealed record PauseSubscription(long SubscriptionId, IActorRef Subscriber);

    /// <summary>The subscription is paused: nothing more of it follows until it is resumed.</summary>
    public sealed record SubscriptionPaused(long SubscriptionId);

    /// <summary>
    /// Pushed to a subscriber: the changes of one revision under its prefixes, at most once per revision, in the type the
    /// connection encodes. <paramref name="Changes"/> is shared, never to be changed: one list per committed batch and
    /// include-values flag goes to every subscriber whose prefixes cover the whole batch; others get their own filtered
    /// list, which still refers to the batch's key and value arrays.
    /// </summary>
    public sealed record SubscribedKeysChanged(long SubscriptionId, long Revision, IReadOnlyList<Change> Changes);

    /// <summary>Pushed to a subscriber: drop and fetch again these keys or prefixes (a forced reload).</summary>
    public sealed record ReloadRequired(long SubscriptionId, IReadOnlyList<byte[]> KeysOrPrefixes);

    /// <summary>Pushed to a subscriber: the resume point is older than the retained log; reload everything under its prefixes.</summary>
    public sealed record ResumeTooOld(long SubscriptionId, long CurrentRevision);

    /// <summary>Pushes a reload of <paramref name="KeysOrPrefixes"/> to exactly the subscriptions that overlap them.
    /// Replied with <see cref="ReloadPushed"/>.</summary>
    public sealed record ForceReload(IReadOnlyList<byte[]> KeysOrPrefixes);

    public sealed record ReloadPushed(int Subscriptions);

    /// <summary>Asks for figures (subscription count, estimated memory). Replied with <see cref="SubscriptionStats"/>.</summary>
    public sealed record GetStats
    {
        public static readonly GetStats Instance = new();

        private GetStats()
        {
        }
    }

    /// <param name="MemoryBytes">The estimated memory the subscriptions hold (<c>mwg.subscriptions.max-memory</c> bounds it).</param>
    public sealed record SubscriptionStats(int Subscriptions, int Subscribers, long MemoryBytes = 0);
}
