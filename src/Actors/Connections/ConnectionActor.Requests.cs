using System.Text;
using Akka.Event;
using Akka.Actor;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using MwgActors.Storage;
using Error = MwgActors.Protocol.Error;
using MwgActors.Protocol.Binary;

namespace MwgActors.Actors.Connections;

/// <summary>Requests that wait for the storage or lock actor, their replies, refusals and timeouts.</summary>
public sealed partial class ConnectionActor
{
    // Reused by every sweep.
    private readonly List<KeyValuePair<long, PendingRequest>> _expired = [];

    private void ReadFromStorage(Get get)
    {
        var correlation = AddRequest(get.Id, RequestKind.Get);
        _readers.ReadTarget.Tell(new StorageProtocol.ReadKeys(get.Keys, correlation, get.MinRevision, ReplyBudgetOf(get)));
    }

    private void ToStorage(RequestId id, RequestKind kind, BatchOperation[] operations)
    {
        var correlation = AddRequest(id, kind);
        _refs.Storage.Tell(new StorageProtocol.WriteBatch(operations, correlation));
    }

    private void ToLocks(RequestId id, RequestKind kind, Func<long, object> request) =>
        _refs.Locks.Tell(request(AddRequest(id, kind)));

    /// <summary>A request of the frame being handled now waits for another actor; returns its correlation id.</summary>
    private long AddRequest(RequestId id, RequestKind kind)
    {
        var correlation = _requests.Add(id, kind, _frameStartedAt);
        RetuneSweepTimer();
        return correlation;
    }

    /// <summary>Restarts the sweep timer at the interval the request table asks for, when it asks for a change.</summary>
    private void RetuneSweepTimer()
    {
        if (_requests.SweepIntervalChange() is { } interval)
        {
            Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, interval);
        }
    }

    /// <summary>Answers a get from the in-process view, or sends it to the reader pool when the view has closed.</summary>
    private void ReadInline(Get get)
    {
        bool open;
        bool read;
        byte[]?[]? values;
        try
        {
            open = _readers.LocalView!.TryGet(get.Keys, ReplyBudgetOf(get), out values, out var revision);
            read = open && revision >= get.MinRevision;
        }
        catch (StoreException ex)
        {
            _log.Error(ex, "Reading {Count} keys from the view failed", get.Keys.Count);
            Answer(RequestKind.Get, RequestOutcome.Error, AnswerToStorageFailure(get.Id, RequestKind.Get, new StorageProtocol.StorageFailed(StorageFailure.ReadFailed, Retryable: true)));
            return;
        }

        if (!read)
        {
            // The view is closed (the storage actor is stopping or restarting: the pool or its successor answers), or, in
            // a cluster, behind the revision the client asked for: the view holds the read until it gets there.
            if (!open)
            {
                _readers.ViewClosed();
            }

            ReadFromStorage(get);
            return;
        }

        Answer(RequestKind.Get, values is null ? RequestOutcome.Error : RequestOutcome.Ok, values is null ? ReplyTooLarge(get.Id) : new GetResult(get.Id, values));
    }

    /// <summary>A get's reply may take the whole outbound queue, no more: a larger one could never be sent.</summary>
    private ReplyBudget ReplyBudgetOf(Get get) => _codec.ReplyBudget(get, _settings.OutboundMaxBytes);

    private Error ReplyTooLarge(RequestId id)
    {
        var closes = _fallbacks.ReplyTooLargeNotRepresentable.Action == FallbackAction.Close;
        LimitExceeded(ErrorCode.ReplyTooLarge, "mwg.connection.outbound-max-bytes", closes ? "closed with 1009" : "answered ReplyTooLarge");
        return new Error(id, ErrorCode.ReplyTooLarge, "the reply would exceed the outbound budget (mwg.connection.outbound-max-bytes); ask for fewer keys");
    }

    // A reply after its request timed out finds nothing pending: the client was already answered.
    private void OnKeysRead(StorageProtocol.KeysRead read)
    {
        if (_requests.TryComplete(read.CorrelationId, out var pending))
        {
            Answer(pending, RequestOutcome.Ok, new GetResult(pending.Id, read.Values));
        }
    }

    private void OnBatchCommitted(StorageProtocol.BatchCommitted committed)
    {
        if (_requests.TryComplete(committed.CorrelationId, out var pending))
        {
            Answer(pending, RequestOutcome.Ok, pending.Kind == RequestKind.Put
                ? new PutResult(pending.Id, true, committed.Revision)
                : new RemoveResult(pending.Id, true, committed.Revision, committed.Changed));
        }
    }

    private void OnStorageFailed(StorageProtocol.StorageFailed failed)
    {
        if (_requests.TryComplete(failed.CorrelationId, out var pending))
        {
            Answer(pending, RequestOutcome.Error, AnswerToStorageFailure(pending.Id, pending.Kind, failed));
        }
    }

    /// <summary>What the client gets for a request the storage failed: ReplyTooLarge, an error, or (G1 writes) false.</summary>
    private ProtocolMessage AnswerToStorageFailure(RequestId id, RequestKind kind, StorageProtocol.StorageFailed failed)
    {
        if (failed.Reason == StorageFailure.ReplyTooLarge)
        {
            return ReplyTooLarge(id);
        }

        // G1 cannot carry the error of a failed get: sending it closes (DialectFallbacks.ReplyNotRepresentable).
        var code = failed.Retryable ? ErrorCode.Unavailable : ErrorCode.Internal;
        var error = new Error(id, code, failed.Retryable ? "storage unavailable, retry" : "the write was refused");
        return _fallbacks.StorageFailureOf(kind).AnswerOf<ProtocolMessage>(error, FalseAnswer(id, kind))!;
    }

    private static Reply FalseAnswer(RequestId id, RequestKind kind) =>
        kind == RequestKind.Put ? new PutResult(id, false) : new RemoveResult(id, false);

    // The lock actor's replies, matched by correlation id like the storage's.
    private void OnPrefixGranted(LockProtocol.PrefixGranted granted)
    {
        _leases.Granted(granted.Prefix, granted.LeaseToken);
        CompleteLock(granted.CorrelationId, RequestOutcome.Ok, id => new LockResult(id, granted.Prefix, Encoding.UTF8.GetBytes(granted.LeaseToken)));
    }

    private void OnPrefixReleased(LockProtocol.PrefixReleased released)
    {
        _leases.Released(released.Prefix);
        CompleteLock(released.CorrelationId, RequestOutcome.Ok, id => new UnlockResult(id));
    }

    private void OnPrefixRefused(LockProtocol.PrefixRefused refused) =>
        CompleteLock(refused.CorrelationId, RequestOutcome.Error, id => new Error(id, ErrorMapping.From(refused.Reason), ErrorMapping.Describe(refused.Reason)));

    private void CompleteLock(long correlation, RequestOutcome outcome, Func<RequestId, ProtocolMessage> reply)
    {
        // A reply after its request timed out finds nothing pending: the client was already answered.
        if (_requests.TryComplete(correlation, out var pending))
        {
            Answer(pending, outcome, reply(pending.Id));
        }
    }

    /// <summary>Refuses <paramref name="request"/> when the connection has no valid token or the token does not allow it.</summary>
    private bool IsAllowed(Request request)
    {
        if (_authentication.Principal is not { } principal)
        {
            Refuse(request, ErrorCode.Unauthorized, "not authenticated: send an auth request with a valid token");
            return false;
        }

        if (!RequestAuthorization.Allows(principal, request))
        {
            Refuse(request, ErrorCode.Forbidden, "the token does not allow this request");
            return false;
        }

        return true;
    }

    private void Refuse(Request request, ErrorCode code, string reason)
    {
        var kind = RequestKinds.Of(request);
        _metrics.RequestAnswered(kind, RequestOutcome.Refused, _frameStartedAt);
        ApplyFallback(_fallbacks.RefusalOf(kind), new Error(request.Id, code, reason), FalseAnswer(request.Id, kind));
    }

    private void OnBadFrame(ProtocolException ex)
    {
        _metrics.RequestAnswered(RequestKind.Unknown, RequestOutcome.Invalid, _frameStartedAt);
        var refusal = _fallbacks.BadWrite.Action == FallbackAction.AnswerFalse ? G1Requests.RefusalFor(ex) : null;
        var fallback = refusal is null ? _fallbacks.BadFrameOf(ex.Code) : _fallbacks.BadWrite;
        if (LimitSettings.Of(ex.Code) is { } setting)
        {
            LimitExceeded(ex.Code, setting, fallback.Action switch
            {
                FallbackAction.ErrorFrame => "answered with an error",
                FallbackAction.AnswerFalse => "answered false",
                _ => "closed",
            });
        }

        ApplyFallback(fallback, ex.ToError(), refusal);
    }

    private void SweepRequests()
    {
        _requests.Sweep(_expired);
        foreach (var (correlation, pending) in _expired)
        {
            if (pending.Kind is RequestKind.Subscribe or RequestKind.Unsubscribe && _subscriptions.RequestTimedOut(correlation) is { } dropped)
            {
                _refs.Subscriptions.Tell(new SubscriptionProtocol.CloseSubscription(dropped, Self));
                _codec.Forget(dropped);
            }

            TimedOut(pending);
        }

        RetuneSweepTimer();
    }

    private void TimedOut(PendingRequest pending)
    {
        _metrics.RequestAnswered(pending.Kind, RequestOutcome.Timeout, pending.StartedAt);
        ApplyFallback(_fallbacks.TimedOut, new Error(pending.Id, ErrorCode.Timeout, "request timed out"));
    }

    /// <summary>Answers a request that waited for another actor, and counts it.</summary>
    private void Answer(PendingRequest pending, RequestOutcome outcome, ProtocolMessage reply)
    {
        _metrics.RequestAnswered(pending.Kind, outcome, pending.StartedAt);
        Reply(reply);
    }

    /// <summary>Answers the request of the frame being handled, and counts it.</summary>
    private void Answer(RequestKind kind, RequestOutcome outcome, ProtocolMessage reply)
    {
        _metrics.RequestAnswered(kind, outcome, _frameStartedAt);
        Reply(reply);
    }
}
