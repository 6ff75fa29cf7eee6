using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Event;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage;
using static MwgActors.Actors.Connections.ConnectionProtocol;
using Error = MwgActors.Protocol.Error;
using Lock = MwgActors.Protocol.Lock;
using Subs = MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// One per websocket. Decodes frames with the connection's dialect, forwards requests to the storage, lock and
/// subscription actors with a correlation id, encodes their replies and pushes notifications. Every outbound
/// frame goes through the bounded queue of <see cref="IConnectionOutput"/>; every request holds one of the
/// connection's in-flight slots until it is answered or times out. Every request is checked against the rights of
/// the connection's principal (<see cref="RequestAuthorization"/>); when its token expires (one rule,
/// <see cref="Principal.IsExpired"/>, checked before every request and by a timer), requests are refused and
/// subscriptions paused until an in-band auth with a new token resumes them where they stopped. With authentication on,
/// a connection without a valid token has <see cref="ConnectionSettings.AuthenticateTimeout"/> to present one.
/// </summary>
public sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    /// <summary>The internal subscription that gives an original G1 client the type 5 push of every put.</summary>
    private const long G1PushSubscription = 0;

    private const string SweepTimer = "sweep";
    private const string G1PushTimer = "g1-push";
    private const string ReadersTimer = "readers";
    private const string RateTimer = "rate";
    private const string ExpiryTimer = "token-expiry";
    private const string AuthenticateTimer = "authenticate";
    private const string ResumeTimer = "resume";
    private const string ReplayRoomTimer = "replay-room";

    // How often a connection whose queue is too full for the next replay chunk looks again.
    private static readonly TimeSpan ReplayRoomInterval = TimeSpan.FromMilliseconds(10);

    // Akka's scheduler takes delays of at most about 24 days; a later expiry is checked again after this.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromDays(1);

    // Well inside the default 30 s grace a restarted lock actor gives every lease.
    private const long LeaseRenewIntervalMs = 5_000;

    private readonly ConnectionSettings _settings;
    private readonly ServerCodec _codec;
    private readonly IConnectionOutput _output;
    private readonly ConnectionRefs _refs;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MwgMetrics _metrics = MwgMetrics.Get(Context.System);

    // Storage requests by correlation id (reads come back out of order from the reader pool).
    private readonly Dictionary<long, PendingRequest> _pending = [];

    // The lock actor answers in order, so its requests wait in a queue.
    private readonly Queue<PendingRequest> _pendingLocks = new();
    private readonly Dictionary<long, PendingRequest> _pendingSubscriptions = [];

    // Subscriptions asked of the subscription actor and not yet confirmed, then the confirmed ones (live or paused).
    private readonly Dictionary<long, ConnectionSubscription> _requestedSubscriptions = [];
    private readonly Dictionary<long, ConnectionSubscription> _subscriptions = [];

    private readonly ConnectionAuth _auth;
    private readonly TimeProvider _clock;

    // The gateway was told of the first in-band authentication (ConnectionAuth.Authenticated).
    private bool _authenticationReported;

    // Who the connection acts for; null before a first valid token (when one is required) and after it expired.
    private Principal? _principal;

    // Leases this connection holds, renewed periodically so a restarted lock actor re-attaches them to us.
    private readonly Dictionary<int, string> _leases = [];
    private long _lastRenewTicks;

    // The storage actor's reader pool, once known: reads go straight to it and never wait in the writer's mailbox.
    private IActorRef? _readers;
    private SharedView? _localView;
    private long _nextCorrelation;
    private long _nextSubscriptionId;
    private long _lastFrameTicks;

    // When the frame being handled was taken up (Stopwatch ticks): the start of its request's latency.
    private long _frameStartedAt;
    private bool _overflowLogged;
    private bool _closing;
    private bool _sweepingFast;

    // Requests per second (null = unlimited). G1 frames over the rate wait here for a token, in order; each holds a
    // request slot, so at most max-requests-in-flight wait and the socket is not read meanwhile (backpressure).
    private readonly TokenBucket? _rate;
    private readonly Queue<byte[]> _delayed = new();

    // Replays waiting for room in the outbound queue before their next chunk: token -> the subscription actor.
    private readonly Dictionary<long, IActorRef> _replaysWaiting = [];

    // Limits this connection has exceeded: each is logged once per connection, not once per offending frame.
    private readonly HashSet<ErrorCode> _limitsLogged = [];

    // G1 only: type 5 pushes wait here while the client could take one for the reply to its request with id 0.
    private readonly G1PushGate? _g1Gate;

    public ConnectionActor(ConnectionSettings settings, ServerCodec codec, IConnectionOutput output, ConnectionRefs refs, ConnectionAuth? auth = null)
    {
        _auth = auth ?? ConnectionAuth.None;
        _clock = _auth.Clock;
        _principal = _auth.Principal ?? (_auth.Required ? null : Principal.Anonymous);
        _settings = settings;
        _codec = codec;
        _output = output;
        _refs = refs;
        _lastFrameTicks = Environment.TickCount64;
        _rate = settings.NewRateLimit();
        _g1Gate = codec.IsExtended ? null : new G1PushGate(settings.OutboundMaxFrames, settings.OutboundMaxBytes);

        Receive<FrameReceived>(frame => OnFrameReceived(frame.Frame));
        Receive<RateTick>(_ => OnRateTick());
        Receive<FrameOfWrongType>(_ =>
        {
            _frameStartedAt = Stopwatch.GetTimestamp();
            OnBadFrame(new ProtocolException(ErrorCode.BadFrame, "binary messages are not accepted on the JSON dialect; send text"));
        });
        Receive<FrameTooLarge>(_ =>
        {
            LimitExceeded(ErrorCode.FrameTooLarge, "mwg.protocol.max-frame-size", "closed with 1009");
            CloseWith(CloseCodes.MessageTooBig, "frame too large");
        });
        Receive<SocketClosed>(_ => Context.Stop(Self));

        Receive<StorageProtocol.KeysRead>(read => Complete(read.CorrelationId, RequestOutcome.Ok, (id, _) => new GetResult(id, read.Values)));
        Receive<StorageProtocol.BatchCommitted>(committed => Complete(committed.CorrelationId, RequestOutcome.Ok, (id, kind) => kind == RequestKind.Put
            ? new PutResult(id, true, committed.Revision)
            : new RemoveResult(id, true, committed.Revision, committed.Changed)));
        Receive<StorageProtocol.StorageFailed>(failed => Complete(failed.CorrelationId, RequestOutcome.Error, (id, kind) => StorageFailure(id, kind, failed)));

        Receive<LockProtocol.PrefixGranted>(granted =>
        {
            _leases[granted.Prefix] = granted.LeaseToken;
            CompleteLock(RequestOutcome.Ok, id => new LockResult(id, granted.Prefix, Encoding.UTF8.GetBytes(granted.LeaseToken)));
        });
        Receive<LockProtocol.PrefixReleased>(released =>
        {
            _leases.Remove(released.Prefix);
            CompleteLock(RequestOutcome.Ok, id => new UnlockResult(id));
        });
        Receive<LockProtocol.PrefixRefused>(refused => CompleteLock(RequestOutcome.Error, id => new Error(id, ErrorMapping.From(refused.Reason), ErrorMapping.Describe(refused.Reason))));

        Receive<Subs.Subscribed>(OnSubscribed);
        Receive<Subs.SubscribeFailed>(OnSubscribeFailed);
        Receive<Subs.SubscribeRefused>(OnSubscribeRefused);
        Receive<Subs.Unsubscribed>(OnUnsubscribed);
        Receive<Subs.ChangeNotification>(OnChange);
        Receive<Subs.ReloadRequired>(reload => SendReload(new ReloadKeys(reload.SubscriptionId, [], reload.KeysOrPrefixes), ReloadReason.Forced));
        Receive<Subs.ReplayChunkSent>(chunk => OnReplayChunkSent(chunk.Token, Sender));
        Receive<ReplayRoomCheck>(_ => ReleaseWaitingReplays());
        Receive<Subs.ResumeTooOld>(tooOld => SendReload(new ReloadAll(tooOld.SubscriptionId), ReloadReason.ResumeTooOld));

        Receive<Sweep>(_ => OnSweep());
        Receive<StorageProtocol.Readers>(OnReaders);
        Receive<StorageProtocol.GetReaders>(ask => _refs.Storage.Tell(ask));
        Receive<Terminated>(OnTerminated);
        Receive<TokenExpiry>(OnTokenExpiry);
        Receive<AuthenticateDeadline>(_ => OnAuthenticateDeadline());
        Receive<ResumePaused>(_ => ResumeSubscriptions());
        Receive<SubscribeG1Push>(_ => _refs.Subscriptions.Tell(new Subs.Subscribe(G1PushSubscription, [[]], null, true, Self, ExemptFromBudget: true)));

        // Test-only (internal): throws, so the lifecycle tests can fail a connection the way a bug would.
        Receive<InjectedFailure>(_ => InjectedFailure.Throw());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="auth">The handshake's principal and the validator for in-band tokens; null = authentication off.</param>
    public static Props Props(ConnectionSettings settings, ServerCodec codec, IConnectionOutput output, ConnectionRefs refs, ConnectionAuth? auth = null) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(settings, codec, output, refs, auth));

    protected override void PreStart()
    {
        _metrics.ConnectionOpened(_codec.Dialect);
        if (_codec.IsExtended)
        {
            Send(new Hello(Subprotocols.Version, _settings.ServerId, _settings.Limits));
        }
        else if (_settings.G1PushPuts)
        {
            // The original server pushed every committed put to every client as a type 5 frame.
            Self.Tell(SubscribeG1Push.Instance);
        }

        _refs.Storage.Tell(StorageProtocol.GetReaders.Instance);
        ScheduleExpiry();
        ArmAuthenticateDeadline();
        Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, SlowSweep);
    }

    // Request timeouts are checked this often while requests are pending...
    private TimeSpan FastSweep => TimeSpan.FromMilliseconds(Math.Clamp(_settings.RequestTimeout.TotalMilliseconds / 4, 50, 1000));

    // ...and only this often when none is: the idle timeout and lease renewals need no more, and 10,000 idle
    // connections would otherwise wake 10,000 times a second.
    private TimeSpan SlowSweep
    {
        get
        {
            var idle = _settings.IdleTimeout > TimeSpan.Zero ? _settings.IdleTimeout / 4 : TimeSpan.MaxValue;
            var slow = TimeSpan.FromMilliseconds(Math.Min(LeaseRenewIntervalMs, idle.TotalMilliseconds));
            return slow > FastSweep ? slow : FastSweep;
        }
    }

    // A replay chunk fills at most half the outbound queue; the next is read once it is down to a quarter.
    private int ReplayChunk => Math.Max(1, _settings.OutboundMaxFrames / 2);

    private void SweepFast()
    {
        if (!_sweepingFast)
        {
            _sweepingFast = true;
            Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, FastSweep);
        }
    }

    protected override void PostStop()
    {
        _metrics.ConnectionClosed(_codec.Dialect);
        _codec.Dispose();
    }

    private void OnFrameReceived(byte[] frame)
    {
        _lastFrameTicks = Environment.TickCount64;
        if (_g1Gate is not null)
        {
            // Counted on arrival, before any wait for the rate limit: from then on the client awaits the reply.
            _g1Gate.FrameArrived(G1Requests.FrameIdDecodesToZero(frame));
            ReleaseG1Pushes();
        }

        if (_rate is not null && !_codec.IsExtended && (_delayed.Count > 0 || !_rate.TryTake()))
        {
            // G1 has no error frame to say "slow down": the frame waits for its token instead.
            LimitExceeded(ErrorCode.RateLimited, "mwg.connection.max-requests-per-second", "G1 frames delayed");
            _delayed.Enqueue(frame);
            if (!Timers.IsTimerActive(RateTimer))
            {
                Timers.StartSingleTimer(RateTimer, RateTick.Instance, _rate.UntilNextToken());
            }

            return;
        }

        OnFrame(frame);
    }

    private void OnRateTick()
    {
        while (_delayed.Count > 0 && !_closing && _rate!.TryTake())
        {
            OnFrame(_delayed.Dequeue());
        }

        if (_delayed.Count > 0 && !_closing)
        {
            Timers.StartSingleTimer(RateTimer, RateTick.Instance, _rate!.UntilNextToken());
        }
    }

    private void OnFrame(byte[] frame)
    {
        _frameStartedAt = Stopwatch.GetTimestamp();
        ProtocolMessage message;
        try
        {
            message = _codec.Decode(frame);
        }
        catch (ProtocolException ex)
        {
            OnBadFrame(ex);
            return;
        }

        if (_rate is not null && _codec.IsExtended && message is Request request && !_rate.TryTake())
        {
            LimitExceeded(ErrorCode.RateLimited, "mwg.connection.max-requests-per-second", "answered RateLimited");
            Answer(KindOf(request), RequestOutcome.Refused, new Error(request.Id, ErrorCode.RateLimited, "rate limit exceeded, slow down"));
            return;
        }

        // The expiry rule before every request, not only when the timer fires: a request that arrives once the token
        // has expired is never run on it, however late the timer is.
        if (message is Request expiring && ExpiryIsDue())
        {
            if (!_codec.IsExtended && expiring is Put or Remove)
            {
                // G1's only answer to a write it will not do; the close follows.
                Refuse(expiring, ErrorCode.Unauthorized, "token expired");
            }

            Expire();
            if (_closing)
            {
                return;
            }
        }

        if (message is Request gated and not (Ping or Protocol.Auth) && !IsAllowed(gated))
        {
            return;
        }

        switch (message)
        {
            case Protocol.Auth auth:
                OnAuth(auth);
                break;
            case Get get when _localView is not null:
                ReadInline(get);
                break;
            case Get get:
                ToStorage(get.Id, RequestKind.Get, correlation => new StorageProtocol.ReadKeys(get.Keys, correlation, get.MinRevision, ReplyBudget(get)), _readers);
                break;
            case Put put:
                ToStorage(put.Id, RequestKind.Put, correlation => new StorageProtocol.WriteBatch(
                    put.Pairs.Select(p => new BatchOperation(p.Key, p.Value)).ToArray(), correlation));
                break;
            case Remove remove:
                ToStorage(remove.Id, RequestKind.Remove, correlation => new StorageProtocol.WriteBatch(
                    remove.Keys.Select(k => new BatchOperation(k, null)).ToArray(), correlation));
                break;
            case Lock lockRequest:
                _pendingLocks.Enqueue(NewPending(lockRequest.Id, RequestKind.Lock));
                _refs.Locks.Tell(new LockProtocol.AcquirePrefix(
                    Self,
                    lockRequest.Reclaim is { } claim ? new LockProtocol.PrefixClaim(claim.Prefix, Encoding.UTF8.GetString(claim.Token)) : null,
                    LeaseSubject,
                    ShortPrefix: !_codec.IsExtended));
                break;
            case Unlock unlock:
                _pendingLocks.Enqueue(NewPending(unlock.Id, RequestKind.Unlock));
                _refs.Locks.Tell(new LockProtocol.ReleasePrefix(unlock.Prefix, Encoding.UTF8.GetString(unlock.Token)));
                break;
            case Subscribe subscribe:
                OnSubscribe(subscribe);
                break;
            case Unsubscribe unsubscribe:
                OnUnsubscribe(unsubscribe);
                break;
            case Ping ping:
                Answer(RequestKind.Ping, RequestOutcome.Ok, new Pong(ping.Id));
                break;
            default:
                // A pong answering a server ping, or anything else that needs no answer.
                _output.RequestCompleted();
                break;
        }
    }

    private void OnBadFrame(ProtocolException ex)
    {
        _metrics.RequestAnswered(RequestKind.Unknown, RequestOutcome.Invalid, _frameStartedAt);

        // G1 has no error frame: a put or remove over a limit answers false (an original client has no timeout and
        // would wait forever for a close it does not expect); anything else only learns of its mistake by the close.
        var g1Refusal = _codec.IsExtended ? null : G1Requests.RefusalFor(ex);
        if (LimitSetting(ex.Code) is { } setting)
        {
            LimitExceeded(ex.Code, setting, _codec.IsExtended ? "answered with an error" : g1Refusal is null ? "closed" : "answered false");
        }

        if (g1Refusal is not null)
        {
            Reply(g1Refusal);
            return;
        }

        if (!_codec.IsExtended)
        {
            CloseWith(ex.Code == ErrorCode.FrameTooLarge ? CloseCodes.MessageTooBig : CloseCodes.ProtocolError, "protocol error");
            return;
        }

        Send(ex.ToError());
        _output.RequestCompleted();
    }

    /// <summary>Answers a get from the in-process view, or sends it to the reader pool when the view has closed.</summary>
    private void ReadInline(Get get)
    {
        bool open;
        bool read;
        byte[]?[]? values;
        try
        {
            open = _localView!.TryGet(get.Keys, ReplyBudget(get), out values, out var revision);
            read = open && revision >= get.MinRevision;
        }
        catch (StoreException ex)
        {
            _log.Error(ex, "Reading {Count} keys from the view failed", get.Keys.Count);
            Answer(RequestKind.Get, RequestOutcome.Error, StorageFailure(get.Id, RequestKind.Get, new StorageProtocol.StorageFailed(Storage.StorageFailure.ReadFailed, Retryable: true)));
            return;
        }

        if (!read)
        {
            // The view is closed (the storage actor is stopping or restarting: the pool or its successor answers), or, in
            // a cluster, behind the revision the client asked for: the view holds the read until it gets there.
            if (!open)
            {
                _localView = null;
            }

            ToStorage(get.Id, RequestKind.Get, correlation => new StorageProtocol.ReadKeys(get.Keys, correlation, get.MinRevision, ReplyBudget(get)), _readers);
            return;
        }

        Answer(RequestKind.Get, values is null ? RequestOutcome.Error : RequestOutcome.Ok, values is null ? ReplyTooLarge(get.Id) : new GetResult(get.Id, values));
    }

    /// <summary>A get's reply may take the whole outbound queue, no more: a larger one could never be sent.</summary>
    private ReplyBudget ReplyBudget(Get get) => _codec.ReplyBudget(get, _settings.OutboundMaxBytes);

    private Error ReplyTooLarge(RequestId id)
    {
        LimitExceeded(ErrorCode.ReplyTooLarge, "mwg.connection.outbound-max-bytes", _codec.IsExtended ? "answered ReplyTooLarge" : "closed with 1009");
        return new Error(id, ErrorCode.ReplyTooLarge, "the reply would exceed the outbound budget (mwg.connection.outbound-max-bytes); ask for fewer keys");
    }

    private void ToStorage(RequestId id, RequestKind kind, Func<long, object> request, IActorRef? target = null)
    {
        var correlation = ++_nextCorrelation;
        _pending[correlation] = NewPending(id, kind);
        (target ?? _refs.Storage).Tell(request(correlation));
    }

    /// <summary>Refuses <paramref name="request"/> when the connection has no valid token or the token does not allow it.</summary>
    private bool IsAllowed(Request request)
    {
        if (_principal is null)
        {
            Refuse(request, ErrorCode.Unauthorized, "not authenticated: send an auth request with a valid token");
            return false;
        }

        if (!RequestAuthorization.Allows(_principal, request))
        {
            Refuse(request, ErrorCode.Forbidden, "the token does not allow this request");
            return false;
        }

        return true;
    }

    private void Refuse(Request request, ErrorCode code, string reason)
    {
        _metrics.RequestAnswered(KindOf(request), RequestOutcome.Refused, _frameStartedAt);
        if (_codec.IsExtended)
        {
            Reply(new Error(request.Id, code, reason));
            return;
        }

        // G1 has no error frame: a write can say false; a read or a prefix request has only the close.
        switch (request)
        {
            case Put:
                Reply(new PutResult(request.Id, false));
                break;
            case Remove:
                Reply(new RemoveResult(request.Id, false));
                break;
            default:
                CloseWith(CloseCodes.PolicyViolation, "forbidden");
                break;
        }
    }

    private void OnAuth(Protocol.Auth auth)
    {
        if (_auth.Validator is null)
        {
            Answer(RequestKind.Auth, RequestOutcome.Refused, new Error(auth.Id, ErrorCode.Unauthorized, "authentication is off on this server"));
            return;
        }

        if (!_auth.Validator.TryValidate(auth.Token, out var principal, out _) || principal.IsExpired(_clock.GetUtcNow()))
        {
            // A refused token changes nothing: a connection that had a valid one keeps it.
            Answer(RequestKind.Auth, RequestOutcome.Refused, new Error(auth.Id, ErrorCode.Unauthorized, "invalid or expired token"));
            return;
        }

        _principal = principal;
        Timers.Cancel(AuthenticateTimer);
        if (!_authenticationReported && _auth.Authenticated is { } authenticated)
        {
            _authenticationReported = true;
            authenticated();
        }

        ScheduleExpiry();
        Answer(RequestKind.Auth, RequestOutcome.Ok, new AuthResult(auth.Id, principal.Subject, principal.ExpiresAt?.ToUnixTimeMilliseconds()));
        ResumeSubscriptions();
    }

    private void ScheduleExpiry()
    {
        Timers.Cancel(ExpiryTimer);
        if (_principal?.ValidUntil is { } validUntil)
        {
            var delay = validUntil - _clock.GetUtcNow();
            var clamped = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > MaxTimerDelay ? MaxTimerDelay : delay;
            Timers.StartSingleTimer(ExpiryTimer, new TokenExpiry(_principal), clamped);
        }
    }

    private void OnTokenExpiry(TokenExpiry expiry)
    {
        if (!ReferenceEquals(expiry.Principal, _principal))
        {
            return;
        }

        if (!expiry.Principal.IsExpired(_clock.GetUtcNow()))
        {
            // A far expiry is reached in steps of at most MaxTimerDelay.
            ScheduleExpiry();
            return;
        }

        Expire();
    }

    /// <summary>The connection has a token and, by the one expiry rule, it has expired.</summary>
    private bool ExpiryIsDue() => _principal is { } principal && principal.IsExpired(_clock.GetUtcNow());

    /// <summary>The token expired: the client is told, requests are refused and subscriptions paused until a new one.</summary>
    private void Expire()
    {
        Timers.Cancel(ExpiryTimer);
        if (!_codec.IsExtended)
        {
            // An original client cannot be told, nor present a new token: the close is the signal.
            CloseWith(CloseCodes.PolicyViolation, "token expired");
            return;
        }

        _principal = null;
        Send(new TokenExpired());
        foreach (var (id, subscription) in _subscriptions)
        {
            Pause(id, subscription);
        }

        // Like a connection that never had a token, this one may not sit unauthenticated for ever.
        ArmAuthenticateDeadline();
    }

    /// <summary>With authentication required and no valid token, the client has authenticate-timeout to present one.</summary>
    private void ArmAuthenticateDeadline()
    {
        if (_auth.Required && _principal is null && !_closing)
        {
            // A single timer from now: frames, heartbeats and pings do not move it.
            Timers.StartSingleTimer(AuthenticateTimer, AuthenticateDeadline.Instance, _settings.AuthenticateTimeout);
        }
    }

    private void OnAuthenticateDeadline()
    {
        if (_principal is null)
        {
            _log.Debug("Connection {Connection} ({Dialect}) did not authenticate within {Timeout}; closed with 1008", Self.Path.Name, _codec.Dialect, _settings.AuthenticateTimeout);
            CloseWith(CloseCodes.PolicyViolation, "authentication timeout");
        }
    }

    /// <summary>Stops the subscription at the subscription actor, remembering where it was.</summary>
    private void Pause(long id, ConnectionSubscription subscription)
    {
        if (subscription.Paused)
        {
            return;
        }

        subscription.Paused = true;
        subscription.Resuming = false;
        subscription.UnconfirmedPauses++;
        _refs.Subscriptions.Tell(new Subs.Unsubscribe(id, Self));
    }

    /// <summary>
    /// Subscribes every paused subscription again right after the last revision it delivered, under the same id, so
    /// the client carries on with no gap and no duplicate. One the token no longer allows (paused or live, when a new
    /// token narrows the rights) is dropped with a ReloadAll.
    /// </summary>
    private void ResumeSubscriptions()
    {
        if (_principal is null)
        {
            return;
        }

        foreach (var (id, subscription) in _subscriptions.ToArray())
        {
            if (!subscription.Prefixes.All(prefix => RequestAuthorization.MaySubscribe(_principal, prefix)))
            {
                Revoke(id, subscription);
            }
            else if (subscription.Paused)
            {
                subscription.Paused = false;
                subscription.Resuming = true;
                _refs.Subscriptions.Tell(new Subs.Subscribe(id, subscription.Prefixes, subscription.LastRevision, subscription.IncludeValues, Self, PacedReplay: true, MaxReplayChunk: ReplayChunk));
            }
        }
    }

    /// <summary>Ends a subscription the current token does not allow; the ReloadAll tells the client to fetch again,
    /// and that get is answered Forbidden for what it may no longer read.</summary>
    private void Revoke(long id, ConnectionSubscription subscription)
    {
        if (!subscription.Paused)
        {
            _refs.Subscriptions.Tell(new Subs.Unsubscribe(id, Self));
        }

        _subscriptions.Remove(id);
        SendReload(new ReloadAll(id), ReloadReason.Revoked);
        _codec.Forget(id);
    }

    private void OnReaders(StorageProtocol.Readers readers)
    {
        _readers = readers.Pool;
        _localView = readers.LocalView;
        Context.Watch(readers.Pool);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (terminated.ActorRef.Equals(_readers))
        {
            // The storage actor restarted with a new pool: read through it until the new pool is known.
            _readers = null;
            _localView = null;
            Timers.StartSingleTimer(ReadersTimer, StorageProtocol.GetReaders.Instance, TimeSpan.FromSeconds(1));
        }
    }

    private void OnSubscribe(Subscribe subscribe)
    {
        if (_subscriptions.Count + _pendingSubscriptions.Count >= _settings.Limits.MaxSubscriptionsPerConnection)
        {
            LimitExceeded(ErrorCode.TooManySubscriptions, "mwg.protocol.max-subscriptions-per-connection", "answered with an error");
            Answer(RequestKind.Subscribe, RequestOutcome.Refused, new Error(subscribe.Id, ErrorCode.TooManySubscriptions, "too many subscriptions on this connection"));
            return;
        }

        // The decoder already bounds one subscribe's prefixes; this bounds what the connection holds in all.
        var prefixBytes = ConnectionSubscription.BytesOf(subscribe.Prefixes);
        if (subscribe.Prefixes.Count > _settings.Limits.MaxPrefixesPerSubscription
            || HeldPrefixBytes() + prefixBytes > _settings.Limits.MaxPrefixBytesPerConnection)
        {
            LimitExceeded(ErrorCode.TooManyPrefixes, "mwg.protocol.max-prefix-bytes-per-connection", "answered with an error");
            var reason = subscribe.Prefixes.Count > _settings.Limits.MaxPrefixesPerSubscription ? "too many prefixes in one subscription" : "too many prefix bytes on this connection";
            Answer(RequestKind.Subscribe, RequestOutcome.Refused, new Error(subscribe.Id, ErrorCode.TooManyPrefixes, reason));
            return;
        }

        var subscriptionId = ++_nextSubscriptionId;
        _pendingSubscriptions[subscriptionId] = NewPending(subscribe.Id, RequestKind.Subscribe);
        _requestedSubscriptions[subscriptionId] = new ConnectionSubscription(subscribe.Prefixes, subscribe.IncludeValues);
        _refs.Subscriptions.Tell(new Subs.Subscribe(subscriptionId, subscribe.Prefixes, subscribe.SinceRevision, subscribe.IncludeValues, Self, PacedReplay: true, MaxReplayChunk: ReplayChunk));
    }

    // Live, paused and pending subscriptions alike: at most max-subscriptions-per-connection of them.
    private long HeldPrefixBytes() =>
        _subscriptions.Values.Sum(s => s.PrefixBytes) + _requestedSubscriptions.Values.Sum(s => s.PrefixBytes);

    // No room in the subscriptions' memory budget (a resume's was given back at the pause).
    private void OnSubscribeRefused(Subs.SubscribeRefused refused) =>
        SubscribeNotTaken(refused.SubscriptionId, pending =>
        {
            LimitExceeded(refused.Reason, "mwg.subscriptions.max-memory", "answered with an error");
            Answer(pending, RequestOutcome.Refused, new Error(pending.Id, refused.Reason, "the server holds all the subscriptions it has memory for, retry later"));
        });

    // The journal could not be read to replay it.
    private void OnSubscribeFailed(Subs.SubscribeFailed failed) =>
        SubscribeNotTaken(failed.SubscriptionId, pending =>
            Answer(pending, RequestOutcome.Error, new Error(pending.Id, ErrorCode.Unavailable, "the change log could not be read, retry")));

    /// <summary>
    /// The subscription actor did not take a subscribe: a resume stays paused and is tried again shortly, a client's
    /// subscribe is answered by <paramref name="answer"/>, the G1 push subscription is asked for again shortly (without
    /// it an original client would silently miss puts).
    /// </summary>
    private void SubscribeNotTaken(long subscriptionId, Action<PendingRequest> answer)
    {
        if (_subscriptions.TryGetValue(subscriptionId, out var resuming) && resuming.Resuming)
        {
            resuming.Resuming = false;
            resuming.Paused = true;
            Timers.StartSingleTimer(ResumeTimer, ResumePaused.Instance, TimeSpan.FromSeconds(1));
        }
        else if (_pendingSubscriptions.Remove(subscriptionId, out var pending))
        {
            _requestedSubscriptions.Remove(subscriptionId);
            answer(pending);
        }
        else if (subscriptionId == G1PushSubscription && !_closing)
        {
            Timers.StartSingleTimer(G1PushTimer, SubscribeG1Push.Instance, TimeSpan.FromSeconds(1));
        }
    }

    private void OnUnsubscribe(Unsubscribe unsubscribe)
    {
        if (!_subscriptions.ContainsKey(unsubscribe.SubscriptionId))
        {
            Answer(RequestKind.Unsubscribe, RequestOutcome.Error, new Error(unsubscribe.Id, ErrorCode.UnknownSubscription, "no such subscription on this connection"));
            return;
        }

        _pendingSubscriptions[-unsubscribe.SubscriptionId] = NewPending(unsubscribe.Id, RequestKind.Unsubscribe);
        _refs.Subscriptions.Tell(new Subs.Unsubscribe(unsubscribe.SubscriptionId, Self));
    }

    private void OnSubscribed(Subs.Subscribed subscribed)
    {
        if (subscribed.SubscriptionId == G1PushSubscription)
        {
            return;
        }

        if (_subscriptions.TryGetValue(subscribed.SubscriptionId, out var resumed))
        {
            // A paused subscription is live again: the client already knows it, so there is nothing to answer.
            resumed.Resuming = false;
            resumed.Delivered(subscribed.CurrentRevision);
            return;
        }

        if (_pendingSubscriptions.Remove(subscribed.SubscriptionId, out var pending)
            && _requestedSubscriptions.Remove(subscribed.SubscriptionId, out var subscription))
        {
            subscription.Delivered(subscribed.CurrentRevision);
            _subscriptions[subscribed.SubscriptionId] = subscription;
            Answer(pending, RequestOutcome.Ok, new Subscribed(pending.Id, subscribed.SubscriptionId, subscribed.CurrentRevision));
            if (subscription.ReloadWhenConfirmed)
            {
                subscription.ReloadWhenConfirmed = false;
                SendReload(new ReloadAll(subscribed.SubscriptionId), ReloadReason.Overflow);
            }

            if (_principal is null)
            {
                // The token expired while the subscribe was on its way.
                Pause(subscribed.SubscriptionId, subscription);
            }
        }
    }

    private void OnUnsubscribed(Subs.Unsubscribed unsubscribed)
    {
        var id = unsubscribed.SubscriptionId;
        var asked = _pendingSubscriptions.Remove(-id, out var pending);
        if (!asked && _subscriptions.TryGetValue(id, out var subscription) && subscription.UnconfirmedPauses > 0)
        {
            // The subscription actor confirms a pause: the subscription stays, to be resumed.
            subscription.UnconfirmedPauses--;
            return;
        }

        _subscriptions.Remove(id);
        _codec.Forget(id);
        if (asked)
        {
            Answer(pending, RequestOutcome.Ok, new Unsubscribed(pending.Id));
        }
    }

    private void OnChange(Subs.ChangeNotification change)
    {
        if (ExpiryIsDue())
        {
            // Nothing goes out on an expired token, however late its timer.
            Expire();
        }

        if (change.SubscriptionId == G1PushSubscription)
        {
            var pairs = change.Changes.Where(c => !c.Removed && c.Value is not null && MayRead(c.Key)).Select(c => new KeyValue(c.Key, c.Value!)).ToArray();
            if (pairs.Length > 0 && SendG1Push(new ReloadPairs(pairs)))
            {
                _metrics.NotificationSent(_codec.Dialect);
            }

            return;
        }

        if (!_subscriptions.TryGetValue(change.SubscriptionId, out var subscription)
            && !_requestedSubscriptions.TryGetValue(change.SubscriptionId, out subscription))
        {
            // Unsubscribed meanwhile.
            return;
        }

        if (subscription.Paused || subscription.UnconfirmedPauses > 0 || _principal is null)
        {
            // Dropped, and not counted as delivered: the resume replays it from the journal.
            return;
        }

        subscription.Delivered(change.Revision);

        // A subscription only ever delivers keys the token may read, whatever its prefixes.
        var changes = change.Changes.Where(c => MayRead(c.Key)).Select(c => new Change(c.Key, c.Removed, c.Value)).ToArray();
        if (changes.Length > 0 && Send(new ChangeNotification(change.SubscriptionId, change.Revision, changes)))
        {
            _metrics.NotificationSent(_codec.Dialect);
        }
    }

    // Whose lease quota this connection's leases count against: its token's subject, in every dialect (else one token
    // could lease every prefix through many G1 connections), or (null) the connection itself when anonymous.
    private string? LeaseSubject =>
        _principal is { } principal && !ReferenceEquals(principal, Principal.Anonymous) ? principal.Subject : null;

    private bool MayRead(byte[] key) => _principal?.Allows(Right.Read, key) == true;

    private void Complete(long correlation, RequestOutcome outcome, Func<RequestId, RequestKind, ProtocolMessage> reply)
    {
        // A reply after its request timed out finds nothing pending: the client was already answered.
        if (_pending.Remove(correlation, out var pending))
        {
            Answer(pending, outcome, reply(pending.Id, pending.Kind));
        }
    }

    private void CompleteLock(RequestOutcome outcome, Func<RequestId, ProtocolMessage> reply)
    {
        if (_pendingLocks.TryDequeue(out var pending))
        {
            Answer(pending, outcome, reply(pending.Id));
        }
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

    private void SendReload(Push reload, ReloadReason reason)
    {
        if (Send(reload))
        {
            _metrics.ReloadSent(reason);
        }
    }

    private static RequestKind KindOf(Request request) => request switch
    {
        Get => RequestKind.Get,
        Put => RequestKind.Put,
        Remove => RequestKind.Remove,
        Lock => RequestKind.Lock,
        Unlock => RequestKind.Unlock,
        Subscribe => RequestKind.Subscribe,
        Unsubscribe => RequestKind.Unsubscribe,
        Ping => RequestKind.Ping,
        Protocol.Auth => RequestKind.Auth,
        _ => RequestKind.Unknown,
    };

    private ProtocolMessage StorageFailure(RequestId id, RequestKind kind, StorageProtocol.StorageFailed failed)
    {
        if (failed.Reason == Storage.StorageFailure.ReplyTooLarge)
        {
            return ReplyTooLarge(id);
        }

        if (!_codec.IsExtended)
        {
            // The original dialect can only say "false" to a write; a failed get has no answer but the close.
            return kind switch
            {
                RequestKind.Put => new PutResult(id, false),
                RequestKind.Remove => new RemoveResult(id, false),
                _ => new Error(id, ErrorCode.Unavailable, "storage unavailable"),
            };
        }

        var code = failed.Retryable ? ErrorCode.Unavailable : ErrorCode.Internal;
        return new Error(id, code, failed.Retryable ? "storage unavailable, retry" : "the write was refused");
    }

    /// <summary>Answers a request and frees its slot.</summary>
    private void Reply(ProtocolMessage reply)
    {
        Send(reply);
        _output.RequestCompleted();
        if (_g1Gate is not null && reply is Protocol.Reply answered)
        {
            _g1Gate.Answered(G1Requests.IdDecodesToZero(answered.Id));
            ReleaseG1Pushes();
        }
    }

    /// <summary>A type 5 push, sent now or held by the gate (finding 9 of issue 14); false when it was not queued.</summary>
    private bool SendG1Push(ReloadPairs push)
    {
        if (_g1Gate is null || _g1Gate.IsOpen)
        {
            return Send(push);
        }

        if (_closing)
        {
            return false;
        }

        byte[] frame;
        try
        {
            frame = _codec.Encode(push);
        }
        catch (ProtocolException ex) when (ex.Code == ErrorCode.NotRepresentable)
        {
            return false;
        }

        if (_g1Gate.TryHold(frame))
        {
            return true;
        }

        OnOverflow(null);
        return false;
    }

    /// <summary>Sends the held pushes, in order, once the gate is open.</summary>
    private void ReleaseG1Pushes()
    {
        while (!_closing && _g1Gate!.TryRelease(out var frame))
        {
            if (!_output.TryEnqueue(frame, droppable: true))
            {
                OnOverflow(null);
                return;
            }
        }
    }

    /// <summary>Queues <paramref name="message"/>; false when it was not queued (closing, not representable, overflow).</summary>
    private bool Send(ProtocolMessage message)
    {
        if (_closing)
        {
            return false;
        }

        if (message is GetResult escaped && _codec.EscapesPass(escaped, _settings.OutboundMaxBytes))
        {
            // Read within its budget, but JSON escapes would make its frame larger than could ever be queued: refused
            // before the frame is built.
            return Send(ReplyTooLarge(escaped.Id));
        }

        byte[] frame;
        try
        {
            frame = _codec.Encode(message);
        }
        catch (ProtocolException ex) when (ex.Code == ErrorCode.NotRepresentable)
        {
            if (message is Reply reply && _codec.IsExtended)
            {
                Send(new Error(reply.Id, ErrorCode.NotRepresentable, "the value cannot be written in this dialect"));
            }
            else if (!_codec.IsExtended && message is Error { Code: ErrorCode.ReplyTooLarge })
            {
                // An original client has no error frame: it learns that its get was too large by the close.
                CloseWith(CloseCodes.MessageTooBig, "reply too large");
            }
            else if (!_codec.IsExtended && message is Reply)
            {
                // A G1 reply that G1 cannot carry (a value with '#', an error): the close is the only signal. A push it
                // cannot carry (a forced reload reaching the G1 push subscription, which covers every key) is not sent.
                CloseWith(CloseCodes.InternalError, "reply not representable in G1");
            }

            return false;
        }

        // Pushes may be dropped on overflow (a reload signal covers them); replies never are, nor is the expiry.
        var droppable = message is Push and not TokenExpired;
        if (_output.TryEnqueue(frame, droppable))
        {
            return true;
        }

        OnOverflow(droppable ? null : frame);
        return false;
    }

    /// <param name="reply">The reply that did not fit, if it was a reply: it is queued again once there is room.</param>
    private void OnOverflow(byte[]? reply)
    {
        if (!_overflowLogged)
        {
            _overflowLogged = true;
            _log.Warning("Outbound queue overflow on a {Dialect} connection; policy {Policy}", _codec.Dialect, _settings.OverflowPolicy);
        }

        if (_settings.OverflowPolicy == OverflowPolicy.Close || !_codec.IsExtended)
        {
            _metrics.OutboundOverflowed(_codec.Dialect, closed: true);
            CloseWith(CloseCodes.PolicyViolation, "outbound queue overflow");
            return;
        }

        // Drop the notifications the client did not read and tell every subscription to reload. Replies stay queued:
        // a request is always answered. If even the reload signals (and the reply) do not fit, the client is not
        // reading at all.
        _metrics.OutboundDropped(_codec.Dialect, _output.DropDroppable());
        foreach (var catchingUp in _requestedSubscriptions.Values)
        {
            // Its replay lost notifications too, and the client does not know its id yet.
            catchingUp.ReloadWhenConfirmed = true;
        }

        var reloads = 0;
        var fits = _subscriptions.Keys.All(id => _output.TryEnqueue(_codec.Encode(new ReloadAll(id)), droppable: false) && ++reloads > 0)
            && (reply is null || _output.TryEnqueue(reply, droppable: false));
        _metrics.ReloadSent(ReloadReason.Overflow, reloads);
        _metrics.OutboundOverflowed(_codec.Dialect, closed: !fits);
        if (!fits)
        {
            CloseWith(CloseCodes.PolicyViolation, "outbound queue overflow");
        }
    }

    /// <summary>
    /// A replay chunk went out: the next is read once the outbound queue is down to a quarter of its bounds, so a
    /// resume of any length streams at the socket's pace instead of overflowing the queue.
    /// </summary>
    private void OnReplayChunkSent(long token, IActorRef subscriptions)
    {
        _replaysWaiting[token] = subscriptions;
        ReleaseWaitingReplays();
    }

    private void ReleaseWaitingReplays()
    {
        if (_replaysWaiting.Count == 0 || _closing)
        {
            return;
        }

        if (_output.QueuedFrames > _settings.OutboundMaxFrames / 4 || _output.QueuedBytes > _settings.OutboundMaxBytes / 4)
        {
            Timers.StartSingleTimer(ReplayRoomTimer, ReplayRoomCheck.Instance, ReplayRoomInterval);
            return;
        }

        foreach (var (token, subscriptions) in _replaysWaiting)
        {
            subscriptions.Tell(new Subs.ContinueReplay(token));
        }

        _replaysWaiting.Clear();
    }

    private void OnSweep()
    {
        var now = Environment.TickCount64;
        if (_leases.Count > 0 && now - _lastRenewTicks >= LeaseRenewIntervalMs)
        {
            _lastRenewTicks = now;
            _refs.Locks.Tell(new LockProtocol.RenewLeases(Self, _leases.Select(l => new LockProtocol.PrefixClaim(l.Key, l.Value)).ToArray(), LeaseSubject));
        }

        if (_codec.IsExtended && _settings.IdleTimeout > TimeSpan.Zero
            && now - _lastFrameTicks > (long)_settings.IdleTimeout.TotalMilliseconds)
        {
            CloseWith(CloseCodes.GoingAway, "idle timeout");
            return;
        }

        foreach (var (correlation, pending) in _pending.Where(p => p.Value.DeadlineTicks < now).ToArray())
        {
            _pending.Remove(correlation);
            TimedOut(pending);
        }

        if (_pendingLocks.TryPeek(out var oldestLock) && oldestLock.DeadlineTicks < now)
        {
            // The lock actor answers in order and always answers, so a timeout means it is gone (restarting):
            // fail every lock request, keeping the queue aligned with whatever replies come later.
            while (_pendingLocks.TryDequeue(out var pending))
            {
                TimedOut(pending);
            }
        }

        foreach (var (key, pending) in _pendingSubscriptions.Where(p => p.Value.DeadlineTicks < now).ToArray())
        {
            _pendingSubscriptions.Remove(key);
            _requestedSubscriptions.Remove(key);
            TimedOut(pending);
        }

        if (_sweepingFast && _pending.Count == 0 && _pendingLocks.Count == 0 && _pendingSubscriptions.Count == 0)
        {
            _sweepingFast = false;
            Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, SlowSweep);
        }
    }

    private void TimedOut(PendingRequest pending)
    {
        _metrics.RequestAnswered(pending.Kind, RequestOutcome.Timeout, pending.StartedAt);
        if (!_codec.IsExtended)
        {
            CloseWith(CloseCodes.InternalError, "request timed out");
            return;
        }

        Reply(new Error(pending.Id, ErrorCode.Timeout, "request timed out"));
    }

    private static string? LimitSetting(ErrorCode code) => code switch
    {
        ErrorCode.FrameTooLarge => "mwg.protocol.max-frame-size",
        ErrorCode.TooManyKeys => "mwg.protocol.max-keys-per-batch",
        ErrorCode.KeyTooLarge => "mwg.protocol.max-key-size",
        ErrorCode.ValueTooLarge => "mwg.protocol.max-value-size",
        ErrorCode.TooManyPrefixes => "mwg.protocol.max-prefixes-per-subscription or max-prefix-bytes-per-connection",
        _ => null,
    };

    /// <summary>Logs the first time this connection exceeds <paramref name="code"/>'s limit; later ones are quiet.</summary>
    private void LimitExceeded(ErrorCode code, string setting, string outcome)
    {
        if (_limitsLogged.Add(code))
        {
            _log.Warning("Connection {Connection} ({Dialect}) exceeded {Setting}: {Code}, {Outcome}; not logged again for this connection", Self.Path.Name, _codec.Dialect, setting, code, outcome);
        }
    }

    private PendingRequest NewPending(RequestId id, RequestKind kind)
    {
        SweepFast();
        return new(id, kind, Environment.TickCount64 + (long)_settings.RequestTimeout.TotalMilliseconds, _frameStartedAt);
    }

    private void CloseWith(int closeCode, string reason)
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        _output.Close(closeCode, reason);
        Context.Stop(Self);
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }

    private sealed class ReplayRoomCheck
    {
        public static readonly ReplayRoomCheck Instance = new();
    }

    private sealed class RateTick
    {
        public static readonly RateTick Instance = new();
    }

    private sealed record TokenExpiry(Principal Principal);

    private sealed class AuthenticateDeadline
    {
        public static readonly AuthenticateDeadline Instance = new();
    }

    private sealed class ResumePaused
    {
        public static readonly ResumePaused Instance = new();
    }

    private sealed class SubscribeG1Push
    {
        public static readonly SubscribeG1Push Instance = new();
    }
}
