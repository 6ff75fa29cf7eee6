using Akka.Actor;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using Error = MwgActors.Protocol.Error;

namespace MwgActors.Actors.Connections;

/// <summary>The client's subscriptions: the events of their state machine (<see cref="ConnectionSubscription"/>) and notifications.</summary>
public sealed partial class ConnectionActor
{
    // Reused by every overflow.
    private readonly List<long> _reloadIds = [];

    private void OnSubscribe(Subscribe subscribe)
    {
        if (_subscriptions.RefusalOf(subscribe.Prefixes, _settings.Limits) is { } refusal)
        {
            LimitExceeded(refusal.Code, refusal.Setting, "answered with an error");
            Answer(RequestKind.Subscribe, RequestOutcome.Refused, new Error(subscribe.Id, refusal.Code, refusal.Reason));
            return;
        }

        var subscription = _subscriptions.Add(subscribe.Prefixes, subscribe.IncludeValues, AddRequest(subscribe.Id, RequestKind.Subscribe));
        _refs.Subscriptions.Tell(new SubscriptionProtocol.OpenSubscription(subscription.Id, subscribe.Prefixes, subscribe.SinceRevision, subscribe.IncludeValues, Self, PacedReplay: true, MaxReplayChunk: _replays.ChunkSize));
    }

    private void OnSubscribed(SubscriptionProtocol.SubscriptionOpened subscribed)
    {
        // A resume is live again with nothing to answer (the client knows it), and the G1 push subscription has no client request.
        if (_subscriptions.Confirmed(subscribed.SubscriptionId, subscribed.CurrentRevision) is not { } confirmed
            || !_requests.TryComplete(confirmed.Correlation, out var pending))
        {
            return;
        }

        Answer(pending, RequestOutcome.Ok, new Subscribed(pending.Id, confirmed.Id, subscribed.CurrentRevision));
        if (confirmed.ReloadWhenConfirmed)
        {
            confirmed.ReloadWhenConfirmed = false;
            SendReload(new ReloadAll(confirmed.Id), ReloadReason.Overflow);
        }

        if (_authentication.Principal is null)
        {
            // The token expired while the subscribe was on its way.
            Pause(confirmed);
        }
    }

    // No room in the subscriptions' memory budget (a resume's was given back at the pause).
    private void OnSubscribeRefused(SubscriptionProtocol.OpenSubscriptionRefused refused) =>
        SubscribeNotTaken(refused.SubscriptionId, pending =>
        {
            LimitExceeded(refused.Reason, "mwg.subscriptions.max-memory", "answered with an error");
            Answer(pending, RequestOutcome.Refused, new Error(pending.Id, refused.Reason, "the server holds all the subscriptions it has memory for, retry later"));
        });

    // The journal could not be read to replay it.
    private void OnSubscribeFailed(SubscriptionProtocol.OpenSubscriptionFailed failed) =>
        SubscribeNotTaken(failed.SubscriptionId, pending =>
            Answer(pending, RequestOutcome.Error, new Error(pending.Id, ErrorCode.Unavailable, "the change log could not be read, retry")));

    /// <summary>
    /// The subscription actor did not take a subscribe: a client's subscribe is answered by <paramref name="answer"/>, a
    /// resume stays paused and is tried again shortly, the G1 push subscription is asked for again shortly (without it
    /// an original client would silently miss puts).
    /// </summary>
    private void SubscribeNotTaken(long subscriptionId, Action<PendingRequest> answer)
    {
        switch (_subscriptions.NotTaken(subscriptionId, out var subscription))
        {
            case NotTakenOutcome.AnswerClient when _requests.TryComplete(subscription!.Correlation, out var pending):
                answer(pending);
                break;
            case NotTakenOutcome.RetryResume:
                Timers.StartSingleTimer(ResumeTimer, ResumePaused.Instance, RetryAfter);
                break;
            case NotTakenOutcome.Unknown when subscriptionId == G1PushSubscription && !_closing:
                Timers.StartSingleTimer(G1PushTimer, SubscribeG1Push.Instance, RetryAfter);
                break;
        }
    }

    private void OnUnsubscribe(Unsubscribe unsubscribe)
    {
        if (!_subscriptions.TryStartUnsubscribe(unsubscribe.SubscriptionId, out var subscription))
        {
            Answer(RequestKind.Unsubscribe, RequestOutcome.Error, new Error(unsubscribe.Id, ErrorCode.UnknownSubscription, "no such subscription on this connection"));
            return;
        }

        ConnectionSubscriptions.Unsubscribing(subscription, AddRequest(unsubscribe.Id, RequestKind.Unsubscribe));
        _refs.Subscriptions.Tell(new SubscriptionProtocol.CloseSubscription(subscription.Id, Self));
    }

    private void OnUnsubscribed(SubscriptionProtocol.SubscriptionClosed unsubscribed)
    {
        if (_subscriptions.Unsubscribed(unsubscribed.SubscriptionId) is not { } ended)
        {
            return;
        }

        _codec.Forget(ended.Id);
        if (_requests.TryComplete(ended.Correlation, out var pending))
        {
            Answer(pending, RequestOutcome.Ok, new Unsubscribed(pending.Id));
        }
    }

    /// <summary>Stops the subscription at the subscription actor, remembering where it was.</summary>
    private void Pause(ConnectionSubscription subscription)
    {
        if (ConnectionSubscriptions.Pause(subscription))
        {
            _refs.Subscriptions.Tell(new SubscriptionProtocol.PauseSubscription(subscription.Id, Self));
        }
    }

    private void OnSubscriptionPaused(SubscriptionProtocol.SubscriptionPaused paused)
    {
        // A new token that came while the pause was on its way resumes it now.
        if (_subscriptions.PauseConfirmed(paused.SubscriptionId) is { } subscription && _authentication.Principal is { } principal)
        {
            ResumeOrRevoke(subscription, principal);
        }
    }

    /// <summary>With a valid token, every paused subscription is resumed and every one the token no longer allows revoked.</summary>
    private void ResumeSubscriptions()
    {
        if (_authentication.Principal is not { } principal)
        {
            return;
        }

        foreach (var subscription in _subscriptions.All.ToArray())
        {
            ResumeOrRevoke(subscription, principal);
        }
    }

    /// <summary>
    /// Subscribes a paused subscription again right after the last revision it delivered, under the same id, so the
    /// client carries on with no gap and no duplicate. One the token no longer allows (paused or live, when a new token
    /// narrows the rights) is dropped with a ReloadAll; the client's get is then answered Forbidden for what it may no
    /// longer read.
    /// </summary>
    private void ResumeOrRevoke(ConnectionSubscription subscription, Principal principal)
    {
        if (!ConnectionSubscriptions.IsRevocable(subscription))
        {
            return;
        }

        if (!subscription.Prefixes.All(prefix => RequestAuthorization.MaySubscribe(principal, prefix)))
        {
            if (_subscriptions.Revoke(subscription))
            {
                _refs.Subscriptions.Tell(new SubscriptionProtocol.CloseSubscription(subscription.Id, Self));
            }

            SendReload(new ReloadAll(subscription.Id), ReloadReason.Revoked);
            _codec.Forget(subscription.Id);
        }
        else if (ConnectionSubscriptions.Resume(subscription))
        {
            _refs.Subscriptions.Tell(new SubscriptionProtocol.OpenSubscription(subscription.Id, subscription.Prefixes, subscription.LastRevision, subscription.IncludeValues, Self, PacedReplay: true, MaxReplayChunk: _replays.ChunkSize));
        }
    }

    private void OnChange(SubscriptionProtocol.SubscribedKeysChanged change)
    {
        if (_authentication.ExpiryIsDue)
        {
            // Nothing goes out on an expired token, however late its timer.
            Expire();
        }

        if (change.SubscriptionId == G1PushSubscription)
        {
            if (G1Pushes.Of(change.Changes, _authentication.MayRead) is { } push && SendG1Push(push))
            {
                _metrics.NotificationSent(_codec.Dialect);
            }

            return;
        }

        // Unsubscribed meanwhile, or paused: dropped, and not counted as delivered (the resume replays it).
        if (!_subscriptions.TryGet(change.SubscriptionId, out var subscription) || !subscription.Delivers || _authentication.Principal is null)
        {
            return;
        }

        subscription.Delivered(change.Revision);

        // A subscription only ever delivers keys the token may read, whatever its prefixes.
        var changes = ReadableChanges.Of(change.Changes, _authentication.Principal);
        if (changes.Count > 0 && Send(new ChangeNotification(change.SubscriptionId, change.Revision, changes)))
        {
            _metrics.NotificationSent(_codec.Dialect);
        }
    }

    private void SendReload(Push reload, ReloadReason reason)
    {
        if (Send(reload))
        {
            _metrics.ReloadSent(reason);
        }
    }
}
