using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Event;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using static MwgActors.Actors.Connections.ConnectionProtocol;
using Lock = MwgActors.Protocol.Lock;
using Error = MwgActors.Protocol.Error;
using MwgActors.Storage;

namespace MwgActors.Actors.Connections;

/// <summary>
/// One per websocket: a router over small plain parts. It decodes frames with the connection's dialect, asks the parts
/// what to do, tells the storage, lock and subscription actors, and sends frames. The parts decide:
/// <list type="bullet">
/// <item><see cref="RequestTable"/>: requests waiting for the storage, lock or subscription actor by correlation id, their
/// deadlines and the sweep;</item>
/// <item><see cref="ConnectionSubscriptions"/>: each subscription's state machine (diagram on <see cref="ConnectionSubscription"/>);</item>
/// <item><see cref="AuthenticationState"/>: who the connection acts for and when its token expires; requests are checked
/// against its rights (<see cref="RequestAuthorization"/>), and subscriptions pause while it has none;</item>
/// <item><see cref="DialectFallbacks"/>: what G1, which has no error frame, does instead (answer false or close);</item>
/// <item><see cref="OutboundPolicy"/> and <see cref="ReplayPacing"/>: a full outbound queue, and replays at the socket's pace;</item>
/// <item><see cref="RequestRateLimit"/>, <see cref="G1PushGate"/>, <see cref="LeaseRenewal"/>, <see cref="IdleTimeout"/>,
/// <see cref="StorageReaders"/>.</item>
/// </list>
/// Every outbound frame goes through the bounded queue of <see cref="IConnectionOutput"/>; every request holds one of the
/// connection's in-flight slots until it is answered or times out. The handlers are split by concern over partial
/// files: requests, subscriptions, authentication, outbound.
/// </summary>
public sealed partial class ConnectionActor : ReceiveActor, IWithTimers
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

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly ConnectionSettings _settings;
    private readonly ServerCodec _codec;
    private readonly IConnectionOutput _output;
    private readonly ConnectionRefs _refs;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MwgMetrics _metrics = MwgMetrics.Get(Context.System);

    private readonly DialectFallbacks _fallbacks;
    private readonly RequestTable _requests;
    private readonly ConnectionSubscriptions _subscriptions = new();
    private readonly AuthenticationState _authentication;
    private readonly OutboundPolicy _outbound;
    private readonly ReplayPacing _replays;
    private readonly LeaseRenewal _leases = new();
    private readonly IdleTimeout _idle;
    private readonly StorageReaders _readers;

    // Null when unlimited.
    private readonly RequestRateLimit? _rate;

    // G1 only: type 5 pushes wait here while the client could take one for the reply to its request with id 0.
    private readonly G1PushGate? _g1Gate;

    // Limits this connection has exceeded: each is logged once per connection, not once per offending frame.
    private readonly HashSet<ErrorCode> _limitsLogged = [];

    // When the frame being handled was taken up (Stopwatch ticks): the start of its request's latency.
    private long _frameStartedAt;
    private bool _closing;

    public ConnectionActor(ConnectionSettings settings, ServerCodec codec, IConnectionOutput output, ConnectionRefs refs, ConnectionAuth? auth = null)
    {
        _settings = settings;
        _codec = codec;
        _output = output;
        _refs = refs;
        _fallbacks = DialectFallbacks.For(codec.IsExtended);
        _authentication = new AuthenticationState(auth ?? ConnectionAuth.None);
        _requests = new RequestTable(settings.RequestTimeout, settings.IdleTimeout, LeaseRenewal.Interval);
        _outbound = new OutboundPolicy(settings.OverflowPolicy, _fallbacks);
        _replays = new ReplayPacing(settings.OutboundMaxFrames, settings.OutboundMaxBytes);
        _idle = new IdleTimeout(settings.IdleTimeout, applies: _fallbacks.IdleTimeout.Action == FallbackAction.Close);
        _readers = new StorageReaders(refs.Storage);
        _rate = settings.NewRateLimit() is { } bucket ? new RequestRateLimit(bucket) : null;
        _g1Gate = codec.IsExtended ? null : new G1PushGate(settings.OutboundMaxFrames, settings.OutboundMaxBytes);

        // From the socket.
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
        Receive<OutboundDrained>(_ => ContinueReplays());
        Receive<SocketClosed>(_ => Context.Stop(Self));

        // Replies of the storage and lock actors (ConnectionActor.Requests.cs).
        Receive<StorageProtocol.KeysRead>(OnKeysRead);
        Receive<StorageProtocol.BatchCommitted>(OnBatchCommitted);
        Receive<StorageProtocol.StorageFailed>(OnStorageFailed);
        Receive<LockProtocol.PrefixGranted>(OnPrefixGranted);
        Receive<LockProtocol.PrefixReleased>(OnPrefixReleased);
        Receive<LockProtocol.PrefixRefused>(OnPrefixRefused);

        // The subscription actor (ConnectionActor.Subscriptions.cs).
        Receive<SubscriptionProtocol.SubscriptionOpened>(OnSubscribed);
        Receive<SubscriptionProtocol.OpenSubscriptionFailed>(OnSubscribeFailed);
        Receive<SubscriptionProtocol.OpenSubscriptionRefused>(OnSubscribeRefused);
        Receive<SubscriptionProtocol.SubscriptionClosed>(OnUnsubscribed);
        Receive<SubscriptionProtocol.SubscriptionPaused>(OnSubscriptionPaused);
        Receive<SubscriptionProtocol.SubscribedKeysChanged>(OnChange);
        Receive<SubscriptionProtocol.ReloadRequired>(reload => SendReload(new ReloadKeys(reload.SubscriptionId, [], reload.KeysOrPrefixes), ReloadReason.Forced));
        Receive<SubscriptionProtocol.ReplayChunkSent>(chunk => OnReplayChunkSent(chunk.Token, Sender));
        Receive<SubscriptionProtocol.ResumeTooOld>(tooOld => SendReload(new ReloadAll(tooOld.SubscriptionId), ReloadReason.ResumeTooOld));
        Receive<ResumePaused>(_ => ResumeSubscriptions());
        Receive<SubscribeG1Push>(_ => _refs.Subscriptions.Tell(new SubscriptionProtocol.OpenSubscription(G1PushSubscription, [[]], null, true, Self, ExemptFromBudget: true)));

        // Timers and housekeeping.
        Receive<Sweep>(_ => OnSweep());
        Receive<StorageProtocol.Readers>(OnReaders);
        Receive<StorageProtocol.GetReaders>(ask => _refs.Storage.Tell(ask));
        Receive<Terminated>(OnTerminated);
        Receive<TokenExpiry>(OnTokenExpiry);
        Receive<AuthenticateDeadline>(_ => OnAuthenticateDeadline());
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
        Timers.StartPeriodicTimer(SweepTimer, Sweep.Instance, _requests.SlowSweep);
    }

    protected override void PostStop()
    {
        _metrics.ConnectionClosed(_codec.Dialect);
        _codec.Dispose();
    }

    private void OnFrameReceived(byte[] frame)
    {
        _idle.FrameArrived();
        if (_g1Gate is not null)
        {
            // Counted on arrival, before any wait for the rate limit: from then on the client awaits the reply.
            _g1Gate.FrameArrived(G1Requests.FrameIdDecodesToZero(frame));
            ReleaseG1Pushes();
        }

        if (_rate is not null && _fallbacks.RateLimited.Action == FallbackAction.Delay && _rate.Delay(frame))
        {
            LimitExceeded(ErrorCode.RateLimited, "mwg.connection.max-requests-per-second", "G1 frames delayed");
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
        while (!_closing && _rate!.TryRelease(out var frame))
        {
            OnFrame(frame);
        }

        if (_rate!.AnyDelayed && !_closing)
        {
            Timers.StartSingleTimer(RateTimer, RateTick.Instance, _rate.UntilNextToken());
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

        if (message is Request request && !MayRun(request))
        {
            return;
        }

        switch (message)
        {
            case Protocol.Auth auth:
                OnAuth(auth);
                break;
            case Get get when _readers.LocalView is not null:
                ReadInline(get);
                break;
            case Get get:
                ReadFromStorage(get);
                break;
            case Put put:
                ToStorage(put.Id, RequestKind.Put, put.Pairs.Select(p => new BatchOperation(p.Key, p.Value)).ToArray());
                break;
            case Remove remove:
                ToStorage(remove.Id, RequestKind.Remove, remove.Keys.Select(k => new BatchOperation(k, null)).ToArray());
                break;
            case Lock lockRequest:
                ToLocks(lockRequest.Id, RequestKind.Lock, correlation => new LockProtocol.AcquirePrefix(
                    Self,
                    correlation,
                    lockRequest.Reclaim is { } claim ? new LockProtocol.PrefixClaim(claim.Prefix, Encoding.UTF8.GetString(claim.Token)) : null,
                    _authentication.LeaseSubject,
                    ShortPrefix: !_codec.IsExtended));
                break;
            case Unlock unlock:
                ToLocks(unlock.Id, RequestKind.Unlock, correlation => new LockProtocol.ReleasePrefix(unlock.Prefix, Encoding.UTF8.GetString(unlock.Token), correlation));
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

    /// <summary>The checks every request passes before it runs: the rate limit, the token's expiry and its rights.
    /// False when the request was answered (or the connection closed) instead.</summary>
    private bool MayRun(Request request)
    {
        if (_rate is not null && _fallbacks.RateLimited.Action == FallbackAction.ErrorFrame && !_rate.TryTake())
        {
            LimitExceeded(ErrorCode.RateLimited, "mwg.connection.max-requests-per-second", "answered RateLimited");
            Answer(RequestKinds.Of(request), RequestOutcome.Refused, new Error(request.Id, ErrorCode.RateLimited, "rate limit exceeded, slow down"));
            return false;
        }

        // The expiry rule before every request, not only when the timer fires: a request that arrives once the token
        // has expired is never run on it, however late the timer is.
        if (_authentication.ExpiryIsDue)
        {
            if (_fallbacks.TokenExpired.Action == FallbackAction.Close && _fallbacks.RefusalOf(RequestKinds.Of(request)).Action == FallbackAction.AnswerFalse)
            {
                // G1's only answer to a write it will not do; the close follows.
                Refuse(request, ErrorCode.Unauthorized, "token expired");
            }

            Expire();
            if (_closing)
            {
                return false;
            }
        }

        return request is Ping or Protocol.Auth || IsAllowed(request);
    }

    private void OnReaders(StorageProtocol.Readers readers)
    {
        _readers.Known(readers);
        Context.Watch(readers.Pool);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (_readers.Terminated(terminated.ActorRef))
        {
            // The storage actor restarted with a new pool: read through it until the new pool is known.
            Timers.StartSingleTimer(ReadersTimer, StorageProtocol.GetReaders.Instance, StorageReaders.AskAgainAfter);
        }
    }

    private void OnSweep()
    {
        if (_leases.TryRenew(out var claims))
        {
            _refs.Locks.Tell(new LockProtocol.RenewLeases(Self, claims, _authentication.LeaseSubject));
        }

        if (_idle.IsIdle)
        {
            CloseWith(_fallbacks.IdleTimeout.CloseCode, _fallbacks.IdleTimeout.CloseReason);
            return;
        }

        SweepRequests();
    }

    /// <summary>Logs the first time this connection exceeds <paramref name="code"/>'s limit; later ones are quiet.</summary>
    private void LimitExceeded(ErrorCode code, string setting, string outcome)
    {
        if (_limitsLogged.Add(code))
        {
            _log.Warning("Connection {Connection} ({Dialect}) exceeded {Setting}: {Code}, {Outcome}; not logged again for this connection", Self.Path.Name, _codec.Dialect, setting, code, outcome);
        }
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
