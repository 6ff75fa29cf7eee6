using Akka.Actor;
using Akka.Event;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Storage;
using MwgActors.Protocol;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// Routes committed batches to prefix subscriptions. Each <see cref="ChangesCommitted"/> from the change bus is
/// matched key by key through a prefix trie and becomes at most one <see cref="SubscribedKeysChanged"/> per matching
/// subscription, in revision order; subscriptions that match the whole batch share one list of it (<see cref="BatchChanges"/>). A subscription that resumes from a revision first reads the storage
/// journal (the source of truth), buffering the live stream meanwhile, and joins it at the seam.
/// </summary>
/// <remarks>
/// On a bus that signals readiness (cluster mode) the actor holds every request until <see cref="ChangeBusReady"/>:
/// a catch-up's journal read must not start before the position from which the bus delivers every revision.
/// </remarks>
public sealed class SubscriptionActor : ReceiveActor, IWithUnboundedStash
{
    private readonly SubscriptionSettings _settings;
    private readonly IChangeBus _bus;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly MwgMetrics _metrics = MwgMetrics.Get(Context.System);
    private readonly PrefixTrie<Subscription> _trie = new();
    private readonly Dictionary<IActorRef, Dictionary<long, Subscription>> _bySubscriber = [];
    private readonly Dictionary<long, Subscription> _catchingUp = [];
    private readonly List<Subscription> _matches = [];
    private readonly List<Subscription> _touched = [];
    private readonly BatchChanges _batch = new();
    private IActorRef _journal = ActorRefs.Nobody;
    private long _lastLiveRevision;
    private long _matchStamp;
    private long _nextToken;
    private int _subscriptionCount;

    // Estimated bytes of every subscription held (SubscriptionMemory), bounded by the settings' MaxMemoryBytes.
    private long _memoryBytes;
    private bool _fullLogged;

    public SubscriptionActor(SubscriptionSettings settings, IChangeBus bus)
    {
        _settings = settings;
        _bus = bus;
        Live();
    }

    public IStash Stash { get; set; } = null!;

    public static Props Props(SubscriptionSettings settings, IChangeBus bus)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(bus);
        return Akka.Actor.Props.Create(() => new SubscriptionActor(settings, bus));
    }

    protected override void PreStart()
    {
        _journal = Akka.Persistence.Persistence.Instance.Apply(Context.System).JournalFor(_settings.JournalPluginId);
        _bus.Subscribe(Self);
        if (_bus.SignalsReady)
        {
            Become(WaitingForBus);
        }
    }

    protected override void PostStop() => _bus.Unsubscribe(Self);

    private void WaitingForBus()
    {
        Receive<ChangeBusReady>(_ =>
        {
            Become(Live);
            Stash.UnstashAll();
        });
        Receive<ChangesCommitted>(_ => { }); // before the bus's position: not ours to route
        ReceiveAny(_ => Stash.Stash());
    }

    private void Live()
    {
        Receive<ChangeBusReady>(_ => { });
        Receive<ChangesCommitted>(OnCommitted);
        Receive<OpenSubscription>(OnOpenSubscription);
        Receive<CloseSubscription>(m =>
        {
            if (Find(m.Subscriber, m.SubscriptionId) is { } sub)
            {
                Remove(sub);
            }

            Sender.Tell(new SubscriptionClosed(m.SubscriptionId));
        });
        Receive<PauseSubscription>(m =>
        {
            // A paused subscription holds nothing here; its resume is a subscribe after its last delivered revision.
            if (Find(m.Subscriber, m.SubscriptionId) is { } sub)
            {
                Remove(sub);
            }

            Sender.Tell(new SubscriptionPaused(m.SubscriptionId));
        });
        Receive<ForceReload>(OnForceReload);
        Receive<GetStats>(_ => Sender.Tell(new SubscriptionStats(_subscriptionCount, _bySubscriber.Count, _memoryBytes)));
        Receive<Terminated>(m => RemoveSubscriber(m.ActorRef));
        Receive<JournalReader.Replayed>(OnReplayed);
        Receive<JournalReader.ReplayEnded>(OnReplayEnded);
        Receive<JournalReader.ReplayFailed>(OnReplayFailed);
        Receive<ContinueReplay>(OnContinueReplay);
    }

    private void OnCommitted(ChangesCommitted committed)
    {
        // The bus keeps order; anything not newer was already routed (at most once per revision).
        if (committed.Revision <= _lastLiveRevision)
        {
            _log.Warning("Ignoring revision {Revision} not after {LastRevision}", committed.Revision, _lastLiveRevision);
            return;
        }

        _lastLiveRevision = committed.Revision;
        _batch.Reset(committed.Operations);
        for (var index = 0; index < committed.Operations.Count; index++)
        {
            var stamp = ++_matchStamp;
            _matches.Clear();
            _trie.CollectMatches(committed.Operations[index].Key, _matches);
            foreach (var sub in _matches)
            {
                if (sub.LastMatchStamp == stamp)
                {
                    continue; // another prefix of the same subscription matched this key
                }

                sub.LastMatchStamp = stamp;
                if (_batch.Matched(sub, index))
                {
                    _touched.Add(sub);
                }
            }
        }

        foreach (var sub in _touched)
        {
            var notification = new SubscribedKeysChanged(sub.Id, committed.Revision, _batch.Take(sub));
            if (sub.CatchUp is { } catchUp)
            {
                BufferLive(catchUp, notification);
            }
            else if (committed.Revision > sub.LiveAfter)
            {
                sub.Subscriber.Tell(notification);
            }
        }

        _touched.Clear();
        _batch.Reset([]); // the batch's values are not held once it is routed
        _metrics.Routed(committed.Revision);
    }

    private void BufferLive(CatchUp catchUp, SubscribedKeysChanged notification)
    {
        if (catchUp.Overflowed)
        {
            return; // the journal will be read again up to and past this revision
        }

        // Both bounds are checked before the notification is held: its values would otherwise stay pinned. A list shared
        // with live subscribers counts in full here: while held, this buffer is what keeps it alive.
        var bytes = BufferedBytes(notification);
        var passed = catchUp.Buffer.Count >= _settings.MaxCatchUpBuffer ? "max-catch-up-buffer"
            : catchUp.BufferBytes + bytes > _settings.MaxCatchUpBufferBytes ? "max-catch-up-buffer-bytes"
            : null;
        if (passed is not null)
        {
            _log.Debug(
                "Live notifications held for subscription {SubscriptionId} would pass mwg.subscriptions.{Setting}: dropping them and reading the journal again",
                notification.SubscriptionId,
                passed);
            catchUp.Overflowed = true;
            catchUp.Buffer.Clear();
            catchUp.BufferBytes = 0;
            return;
        }

        catchUp.Buffer.Add(notification);
        catchUp.BufferBytes += bytes;
    }

    private static long BufferedBytes(SubscribedKeysChanged notification)
    {
        long bytes = 0;
        foreach (var change in notification.Changes)
        {
            bytes += change.Key.Length + (change.Value?.Length ?? 0) + SubscriptionSettings.CatchUpChangeOverheadBytes;
        }

        return bytes;
    }

    private void OnOpenSubscription(OpenSubscription m)
    {
        // The budget is checked before anything is copied or allocated for the subscription.
        var cost = SubscriptionMemory.Estimate(m.Prefixes);
        var existing = Find(m.Subscriber, m.SubscriptionId);
        if (!m.ExemptFromBudget && _memoryBytes - (existing?.EstimatedBytes ?? 0) + cost > _settings.MaxMemoryBytes)
        {
            if (!_fullLogged)
            {
                _fullLogged = true;
                _log.Warning(
                    "Subscriptions hold about {MemoryBytes} bytes: a subscription of {Cost} bytes would pass mwg.subscriptions.max-memory ({MaxMemoryBytes}); refusing subscribes with Overloaded until there is room (not logged again meanwhile)",
                    _memoryBytes,
                    cost,
                    _settings.MaxMemoryBytes);
            }

            Sender.Tell(new OpenSubscriptionRefused(m.SubscriptionId, ErrorCode.Overloaded));
            return;
        }

        if (existing is not null)
        {
            Remove(existing); // same id again: the new subscription replaces the old one
        }

        var sub = new Subscription(m.Subscriber, m.SubscriptionId, DistinctCopies(m.Prefixes), m.IncludeValues)
        {
            PacedReplay = m.PacedReplay,
            EstimatedBytes = cost,
        };
        if (!_bySubscriber.TryGetValue(m.Subscriber, out var own))
        {
            own = [];
            _bySubscriber.Add(m.Subscriber, own);
            Context.Watch(m.Subscriber);
        }

        own.Add(sub.Id, sub);
        _subscriptionCount++;
        _memoryBytes += cost;

        foreach (var prefix in sub.Prefixes)
        {
            _trie.Add(prefix, sub);
        }

        // Registered (and buffering live changes) before the journal is read, so nothing published after
        // that read is missed; what the read also returns is dropped by revision at the seam.
        var chunk = m.PacedReplay && m.MaxReplayChunk > 0 ? Math.Min(m.MaxReplayChunk, _settings.ReplayBatchSize) : _settings.ReplayBatchSize;
        var catchUp = new CatchUp(++_nextToken, Sender, m.AfterRevision) { ChunkSize = chunk };
        sub.CatchUp = catchUp;
        _catchingUp.Add(catchUp.Token, sub);
        ReportCounts();
        Read(catchUp);
    }

    private void Read(CatchUp catchUp)
    {
        catchUp.ReadCount = 0;
        catchUp.Gap = false;
        // A resume point at long.MaxValue must not wrap to long.MinValue and read the log from its start: read from
        // MaxValue instead, which finds nothing and learns the newest revision (then ResumeTooOld, as for any resume
        // point beyond it).
        var from = catchUp.Position == long.MaxValue ? long.MaxValue : catchUp.Position + 1;
        var props = catchUp.HasPosition
            ? JournalReader.Props(_journal, _settings.StoragePersistenceId, from, long.MaxValue, catchUp.ChunkSize, catchUp.Token)
            : JournalReader.Props(_journal, _settings.StoragePersistenceId, 1, 0, 0, catchUp.Token);
        catchUp.Reader = Context.ActorOf(props);
    }

    private void OnReplayed(JournalReader.Replayed m)
    {
        if (!_catchingUp.TryGetValue(m.Token, out var sub) || sub.CatchUp is not { } catchUp)
        {
            return; // unsubscribed meanwhile
        }

        catchUp.ReadCount++;
        if (catchUp.Gap || m.SequenceNr <= catchUp.Position)
        {
            return;
        }

        if (m.SequenceNr != catchUp.Position + 1)
        {
            catchUp.Gap = true; // the revisions between were deleted: too old to resume
            return;
        }

        catchUp.Position = m.SequenceNr;
        if (m.Payload is KeysChanged changed)
        {
            List<Change>? changes = null;
            foreach (var operation in changed.Operations)
            {
                if (sub.Matches(operation.Key))
                {
                    (changes ??= []).Add(BatchChanges.ChangeOf(operation, sub.IncludeValues));
                }
            }

            if (changes is not null)
            {
                sub.Subscriber.Tell(new SubscribedKeysChanged(sub.Id, m.SequenceNr, changes));
            }
        }
    }

    private void OnReplayEnded(JournalReader.ReplayEnded m)
    {
        if (!_catchingUp.TryGetValue(m.Token, out var sub) || sub.CatchUp is not { } catchUp)
        {
            return;
        }

        catchUp.Reader = null;
        var highest = m.HighestSequenceNr;
        if (!catchUp.HasPosition)
        {
            catchUp.HasPosition = true;
            catchUp.Position = highest;
        }
        else if (catchUp.Gap || highest < catchUp.Position || (catchUp.ReadCount == 0 && highest > catchUp.Position))
        {
            // Deleted revisions, or a resume point this log never reached: the client must reload its prefixes.
            sub.Subscriber.Tell(new ResumeTooOld(sub.Id, highest));
            catchUp.Position = highest;
        }
        else if (catchUp.ReadCount >= catchUp.ChunkSize && catchUp.Position < highest)
        {
            if (sub.PacedReplay)
            {
                // The chunk just replayed may still be queued for the subscriber's socket: read on once it has room.
                catchUp.AwaitingContinue = true;
                sub.Subscriber.Tell(new ReplayChunkSent(sub.Id, catchUp.Token));
                return;
            }

            Read(catchUp);
            return;
        }

        if (catchUp.Overflowed)
        {
            // Live changes were dropped; they are in the journal, which the next read reaches.
            catchUp.Overflowed = false;
            Read(catchUp);
            return;
        }

        GoLive(sub, catchUp);
    }

    private void OnContinueReplay(ContinueReplay m)
    {
        if (_catchingUp.TryGetValue(m.Token, out var sub) && sub.CatchUp is { AwaitingContinue: true } catchUp)
        {
            catchUp.AwaitingContinue = false;
            Read(catchUp);
        }
    }

    private void GoLive(Subscription sub, CatchUp catchUp)
    {
        foreach (var notification in catchUp.Buffer)
        {
            if (notification.Revision > catchUp.Position)
            {
                sub.Subscriber.Tell(notification);
            }
        }

        // Every matching change up to the last revision routed live has now been delivered.
        catchUp.ReplyTo.Tell(new SubscriptionOpened(sub.Id, Math.Max(catchUp.Position, _lastLiveRevision)));
        if (catchUp.PendingReloads.Count > 0)
        {
            sub.Subscriber.Tell(new ReloadRequired(sub.Id, catchUp.PendingReloads.ToArray()));
        }

        _catchingUp.Remove(catchUp.Token);
        sub.CatchUp = null;
        sub.LiveAfter = catchUp.Position;
        ReportCounts();
    }

    private void OnReplayFailed(JournalReader.ReplayFailed m)
    {
        if (!_catchingUp.TryGetValue(m.Token, out var sub) || sub.CatchUp is not { } catchUp)
        {
            return;
        }

        _log.Warning(m.Cause, "Reading the change log failed for subscription {SubscriptionId} of {Subscriber}", sub.Id, sub.Subscriber);
        catchUp.Reader = null;
        Remove(sub);
        catchUp.ReplyTo.Tell(new OpenSubscriptionFailed(sub.Id));
    }

    private void OnForceReload(ForceReload m)
    {
        foreach (var item in DistinctCopies(m.KeysOrPrefixes))
        {
            var stamp = ++_matchStamp;
            _matches.Clear();
            _trie.CollectOverlapping(item, _matches);
            foreach (var sub in _matches)
            {
                if (sub.LastMatchStamp == stamp)
                {
                    continue;
                }

                sub.LastMatchStamp = stamp;
                if (sub.PendingReload is null)
                {
                    sub.PendingReload = [];
                    _touched.Add(sub);
                }

                sub.PendingReload.Add(item);
            }
        }

        var pushed = _touched.Count;
        foreach (var sub in _touched)
        {
            if (sub.CatchUp is { } catchUp)
            {
                catchUp.PendingReloads.AddRange(sub.PendingReload!);
            }
            else
            {
                sub.Subscriber.Tell(new ReloadRequired(sub.Id, sub.PendingReload!));
            }

            sub.PendingReload = null;
        }

        _touched.Clear();
        Sender.Tell(new ReloadPushed(pushed));
    }

    private void Remove(Subscription sub)
    {
        foreach (var prefix in sub.Prefixes)
        {
            _trie.Remove(prefix, sub);
        }

        var own = _bySubscriber[sub.Subscriber];
        own.Remove(sub.Id);
        _subscriptionCount--;
        _memoryBytes -= sub.EstimatedBytes;
        _fullLogged = false;
        if (own.Count == 0)
        {
            _bySubscriber.Remove(sub.Subscriber);
            Context.Unwatch(sub.Subscriber);
        }

        if (sub.CatchUp is { } catchUp)
        {
            _catchingUp.Remove(catchUp.Token);
            if (catchUp.Reader is { } reader)
            {
                Context.Stop(reader);
            }

            sub.CatchUp = null;
        }

        ReportCounts();
    }

    private void ReportCounts()
    {
        _metrics.SubscriptionCounts(_subscriptionCount, _catchingUp.Count);
        _metrics.SubscriptionMemory(_memoryBytes);
    }

    private void RemoveSubscriber(IActorRef subscriber)
    {
        if (_bySubscriber.TryGetValue(subscriber, out var own))
        {
            foreach (var sub in own.Values.ToArray())
            {
                Remove(sub);
            }
        }
    }

    private Subscription? Find(IActorRef subscriber, long id) =>
        _bySubscriber.TryGetValue(subscriber, out var own) && own.TryGetValue(id, out var sub) ? sub : null;

    // Messages own their memory: the arrays are copied, and a repeated prefix is kept once.
    private static byte[][] DistinctCopies(IReadOnlyList<byte[]> items)
    {
        var seen = new HashSet<byte[]>(items.Count, ByteContentComparer.Instance);
        var result = new List<byte[]>(items.Count);
        foreach (var item in items)
        {
            if (seen.Add(item))
            {
                result.Add(item.ToArray());
            }
        }

        return [.. result];
    }

    private sealed class ByteContentComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteContentComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
