using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using MwgActors.Actors.Cluster;
using static MwgActors.Actors.Locks.LockProtocol;

namespace MwgActors.Actors.Locks;

/// <summary>
/// Leases 16-bit id prefixes, each to at most one live holder. Requests get the lowest free prefix and a lease
/// token; owners are watched, and when one terminates its leases wait <see cref="LockSettings.GracePeriod"/> for a
/// reclaim with the token before they are freed. The lease table is journaled (events persisted before the reply)
/// and snapshotted, so a restarted server puts every recovered lease in grace and honours reclaims within it.
/// Each lease counts against its holder's quota (<see cref="LockSettings.MaxLeasesPerOwner"/>) until it is freed,
/// in grace included; a request of a short prefix (an original Java client) is served from 0..32767 only.
/// </summary>
/// <remarks>
/// Recovery cannot tell whether an owner is still alive, so it assumes none is. That is right after a server
/// restart. If only this actor stops while the server runs (it stops when the journal fails), a connection that
/// holds a lease must reclaim it with its token from the successor within the grace period, or lose it.
/// Holders are not journaled either: a recovered lease counts for no one until a reclaim or a renewal names its
/// holder, so right after a restart a holder may briefly hold its quota twice, until the old leases' grace ends.
/// </remarks>
public sealed class LockActor : ReceivePersistentActor
{
    /// <summary>Number of prefixes: mwDB ids carry a 16-bit prefix.</summary>
    public const int PrefixCount = 1 << 16;

    /// <summary>The highest prefix a client that keeps it in a Java <c>short</c> can hold.</summary>
    public const int MaxShortPrefix = short.MaxValue;

    private readonly LockSettings _settings;
    private readonly TimeProvider _clock;
    private readonly PrefixSpace _space;
    private readonly Dictionary<int, Lease> _leases = [];
    private readonly Dictionary<IActorRef, HashSet<int>> _prefixesByOwner = [];

    // Leases per holder (the quota's owner: a token subject or a connection), live and in grace.
    private readonly Dictionary<string, int> _leaseCountByHolder = [];

    // Leases in grace by deadline. Entries go stale when a lease is reclaimed or released; a stale entry is
    // recognised by its generation and skipped, so nothing is removed from the middle of the queue.
    private readonly PriorityQueue<GraceEntry, DateTimeOffset> _grace = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _generation;
    private ITimer? _graceTimer;

    public LockActor(LockSettings settings, TimeProvider clock)
        : this(settings, clock, PrefixCount)
    {
    }

    // prefixCount is smaller only in tests, to reach exhaustion cheaply.
    internal LockActor(LockSettings settings, TimeProvider clock, int prefixCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        _settings = settings;
        _clock = clock;
        _space = new PrefixSpace(prefixCount);
        JournalPluginId = settings.JournalPluginId;
        SnapshotPluginId = settings.SnapshotPluginId;

        Recover<PrefixLeased>(Apply);
        Recover<LeaseReleased>(e => Free(e.Prefix));
        Recover<LeaseExpired>(e => Free(e.Prefix));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is LeaseTableSnapshot snapshot)
            {
                Load(snapshot);
            }
        });
        Recover<RecoveryCompleted>(_ => StartGraceForRecoveredLeases());

        Command<AcquirePrefix>(Acquire);
        Command<ReleasePrefix>(Release);
        Command<RenewLeases>(Renew);
        Command<Terminated>(OnOwnerTerminated);
        Command<GraceTick>(_ => ExpireDueLeases());
        Command<GetLeases>(get => Sender.Tell(ListLeases(get.CorrelationId)));

        // Cluster handover: commands wait while an event is persisted, so this runs after the replies in flight.
        Command<HandOver>(_ => Context.Stop(Self));
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
            _log.Warning(f.Cause, "Lock table snapshot at {SequenceNr} failed; the journal keeps its events", f.Metadata.SequenceNr));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f =>
            _log.Warning(f.Cause, "Deleting lock events up to {SequenceNr} failed", f.ToSequenceNr));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "Deleting old lock table snapshots failed"));
    }

    public override string PersistenceId => _settings.PersistenceId;

    public static Props Props(LockSettings settings) => Props(settings, TimeProvider.System);

    /// <summary>Props with an explicit clock, which times the grace periods (a fake one in tests).</summary>
    public static Props Props(LockSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new LockActor(settings, clock));

    // Props.Create activates public constructors only; a producer reaches the internal one.
    internal static Props Props(LockSettings settings, TimeProvider clock, int prefixCount) =>
        Akka.Actor.Props.CreateBy(new SmallSpaceProducer(settings, clock, prefixCount));

    protected override void PostStop()
    {
        _graceTimer?.Dispose();
        base.PostStop();
    }

    private void Acquire(AcquirePrefix request)
    {
        // A caller's bug must not crash this actor: a restart would put every live lease in grace.
        if (request.Owner is null)
        {
            Sender.Tell(new Status.Failure(new ArgumentException("AcquirePrefix needs an owner to watch", nameof(request))));
            return;
        }

        var holder = HolderOf(request.Owner, request.Subject);
        if (request.Reclaim is { } claim)
        {
            Reclaim(request, holder, claim);
            return;
        }

        // Checked before anything is persisted; persisting stashes later requests, so no two pass the check at once.
        if (LeaseCount(holder) >= _settings.MaxLeasesPerOwner)
        {
            _log.Debug("Lease quota of {Holder} reached: it holds {Count}", holder, LeaseCount(holder));
            Sender.Tell(new PrefixRefused(LockRefusal.LeaseQuotaExceeded, request.CorrelationId));
            return;
        }

        // The lowest free prefix is the only candidate: a short prefix is free only if the lowest one is short.
        if (!_space.TryGetLowestFree(out var prefix) || (request.ShortPrefix && prefix > MaxShortPrefix))
        {
            _log.Warning("No free prefix for {Owner}: all {Count} are leased", request.Owner, request.ShortPrefix ? Math.Min(_space.Size, MaxShortPrefix + 1) : _space.Size);
            Sender.Tell(new PrefixRefused(LockRefusal.NoFreePrefix, request.CorrelationId));
            return;
        }

        var replyTo = Sender;
        var leased = new PrefixLeased(prefix, LeaseTokens.Create(), _clock.GetUtcNow().ToUnixTimeMilliseconds());
        Persist(leased, e =>
        {
            Apply(e);
            Hold(_leases[e.Prefix], holder);
            Attach(e.Prefix, request.Owner);
            replyTo.Tell(new PrefixGranted(e.Prefix, e.LeaseToken, request.CorrelationId));
            SnapshotIfDue();
        });
    }

    private void Reclaim(AcquirePrefix request, string holder, PrefixClaim claim)
    {
        var owner = request.Owner;
        if (!_space.Contains(claim.Prefix))
        {
            Sender.Tell(new PrefixRefused(LockRefusal.InvalidPrefix, request.CorrelationId));
            return;
        }

        // A lease whose grace has run out is refused even if the expiry tick has not run yet.
        if (!_leases.TryGetValue(claim.Prefix, out var lease)
            || !LeaseTokens.Matches(lease.Token, claim.LeaseToken)
            || (lease.GraceEndsAt is { } deadline && _clock.GetUtcNow() >= deadline))
        {
            Sender.Tell(new PrefixRefused(LockRefusal.InvalidLeaseToken, request.CorrelationId));
            return;
        }

        // A lease that moves to another holder counts against that holder's quota.
        if (lease.Holder != holder && LeaseCount(holder) >= _settings.MaxLeasesPerOwner)
        {
            Sender.Tell(new PrefixRefused(LockRefusal.LeaseQuotaExceeded, request.CorrelationId));
            return;
        }

        // Only the owner changes, and owners are not journaled: nothing to persist.
        Hold(lease, holder);
        Detach(claim.Prefix, lease);
        Attach(claim.Prefix, owner);
        _log.Info("Prefix {Prefix} reclaimed by {Owner}", claim.Prefix, owner);
        Sender.Tell(new PrefixGranted(claim.Prefix, lease.Token, request.CorrelationId));
    }

    private void Renew(RenewLeases renew)
    {
        var now = _clock.GetUtcNow();
        foreach (var claim in renew.Claims)
        {
            if (_leases.TryGetValue(claim.Prefix, out var lease)
                && LeaseTokens.Matches(lease.Token, claim.LeaseToken)
                && !Equals(lease.Owner, renew.Owner)
                && !(lease.GraceEndsAt is { } deadline && now >= deadline))
            {
                // Not refused for the quota: the owner held these leases before the lock actor restarted.
                Hold(lease, HolderOf(renew.Owner, renew.Subject));
                Detach(claim.Prefix, lease);
                Attach(claim.Prefix, renew.Owner);
                _log.Info("Prefix {Prefix} renewed by its live owner {Owner}", claim.Prefix, renew.Owner);
            }
        }
    }

    private void Release(ReleasePrefix request)
    {
        if (!_space.Contains(request.Prefix))
        {
            Sender.Tell(new PrefixRefused(LockRefusal.InvalidPrefix, request.CorrelationId));
            return;
        }

        if (!_leases.TryGetValue(request.Prefix, out var lease) || !LeaseTokens.Matches(lease.Token, request.LeaseToken))
        {
            Sender.Tell(new PrefixRefused(LockRefusal.InvalidLeaseToken, request.CorrelationId));
            return;
        }

        var replyTo = Sender;
        Persist(new LeaseReleased(request.Prefix), e =>
        {
            Detach(e.Prefix, lease);
            Free(e.Prefix);
            replyTo.Tell(new PrefixReleased(e.Prefix, request.CorrelationId));
            SnapshotIfDue();
        });
    }

    private void OnOwnerTerminated(Terminated terminated)
    {
        if (!_prefixesByOwner.Remove(terminated.ActorRef, out var prefixes))
        {
            return;
        }

        var deadline = _clock.GetUtcNow() + _settings.GracePeriod;
        foreach (var prefix in prefixes)
        {
            StartGrace(prefix, _leases[prefix], deadline);
        }

        _log.Info("Owner {Owner} is gone; its {Count} lease(s) wait for a reclaim until {Deadline}", terminated.ActorRef, prefixes.Count, deadline);
        ScheduleGraceTick();
    }

    private void StartGraceForRecoveredLeases()
    {
        // No owner survives a restart: every lease waits for its client to reclaim it.
        var deadline = _clock.GetUtcNow() + _settings.GracePeriod;
        foreach (var (prefix, lease) in _leases)
        {
            StartGrace(prefix, lease, deadline);
        }

        if (_leases.Count > 0)
        {
            _log.Info("Recovered {Count} lease(s); they wait for a reclaim until {Deadline}", _leases.Count, deadline);
        }

        ScheduleGraceTick();
    }

    private void StartGrace(int prefix, Lease lease, DateTimeOffset deadline)
    {
        lease.Owner = null;
        lease.GraceEndsAt = deadline;
        lease.Generation = ++_generation;
        _grace.Enqueue(new GraceEntry(prefix, lease.Generation), deadline);
    }

    private void ExpireDueLeases()
    {
        var now = _clock.GetUtcNow();
        var expired = new List<LeaseExpired>();
        while (_grace.TryPeek(out var entry, out var deadline) && deadline <= now)
        {
            _grace.Dequeue();
            if (IsCurrent(entry))
            {
                expired.Add(new LeaseExpired(entry.Prefix));
            }
        }

        if (expired.Count > 0)
        {
            PersistAll(expired, e =>
            {
                Free(e.Prefix);
                _log.Info("Lease of prefix {Prefix} expired after its grace period", e.Prefix);
                SnapshotIfDue();
            });
        }

        ScheduleGraceTick();
    }

    // One timer for the earliest deadline; its tick expires whatever is due and sets it for the next one.
    // The timer comes from the injected clock so tests can move time instead of waiting.
    private void ScheduleGraceTick()
    {
        while (_grace.TryPeek(out var entry, out _) && !IsCurrent(entry))
        {
            _grace.Dequeue();
        }

        if (!_grace.TryPeek(out _, out var deadline))
        {
            _graceTimer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var due = deadline - _clock.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        if (_graceTimer is null)
        {
            _graceTimer = _clock.CreateTimer(static self => ((IActorRef)self!).Tell(GraceTick.Instance), Self, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _graceTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private bool IsCurrent(GraceEntry entry) =>
        _leases.TryGetValue(entry.Prefix, out var lease) && lease.Owner is null && lease.Generation == entry.Generation;

    private void Apply(PrefixLeased leased)
    {
        _space.Take(leased.Prefix);
        _leases[leased.Prefix] = new Lease(leased.LeaseToken, leased.LeasedAtUnixMs);
    }

    private void Free(int prefix)
    {
        if (_leases.Remove(prefix, out var lease))
        {
            Hold(lease, null);
        }

        _space.Free(prefix);
    }

    // The quota's owner: the token subject, else the connection itself (its path with the uid, so a new
    // connection at a reused name is another holder).
    private static string HolderOf(IActorRef owner, string? subject) =>
        subject is not null ? "subject:" + subject : "connection:" + owner.Path.ToStringWithUid();

    private int LeaseCount(string holder) => _leaseCountByHolder.GetValueOrDefault(holder);

    /// <summary>Moves <paramref name="lease"/>'s count to <paramref name="holder"/> (null: counted for no one).</summary>
    private void Hold(Lease lease, string? holder)
    {
        if (lease.Holder == holder)
        {
            return;
        }

        if (lease.Holder is { } previous && --_leaseCountByHolder[previous] == 0)
        {
            _leaseCountByHolder.Remove(previous);
        }

        lease.Holder = holder;
        if (holder is not null)
        {
            _leaseCountByHolder[holder] = LeaseCount(holder) + 1;
        }
    }

    private void Load(LeaseTableSnapshot snapshot)
    {
        _leases.Clear();
        _leaseCountByHolder.Clear();
        _space.Clear();
        foreach (var leased in snapshot.Leases)
        {
            Apply(leased);
        }
    }

    private void Attach(int prefix, IActorRef owner)
    {
        var lease = _leases[prefix];
        lease.Owner = owner;
        lease.GraceEndsAt = null;
        lease.Generation = ++_generation;
        if (!_prefixesByOwner.TryGetValue(owner, out var prefixes))
        {
            prefixes = [];
            _prefixesByOwner[owner] = prefixes;
            Context.Watch(owner);
        }

        prefixes.Add(prefix);
    }

    private void Detach(int prefix, Lease lease)
    {
        if (lease.Owner is not { } owner || !_prefixesByOwner.TryGetValue(owner, out var prefixes))
        {
            return;
        }

        prefixes.Remove(prefix);
        if (prefixes.Count == 0)
        {
            _prefixesByOwner.Remove(owner);
            Context.Unwatch(owner);
        }
    }

    private void SnapshotIfDue()
    {
        if (LastSequenceNr % _settings.SnapshotEvery == 0)
        {
            SaveSnapshot(new LeaseTableSnapshot(
                [.. _leases.Select(kv => new PrefixLeased(kv.Key, kv.Value.Token, kv.Value.LeasedAtUnixMs)).OrderBy(l => l.Prefix)]));
        }
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess saved)
    {
        // The snapshot covers everything up to its sequence number: drop those events and older snapshots.
        DeleteMessages(saved.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
    }

    private LeaseList ListLeases(long correlationId) =>
        new([.. _leases.OrderBy(kv => kv.Key).Select(kv => new LeaseState(kv.Key, kv.Value.Owner is not null, kv.Value.GraceEndsAt))], correlationId);

    private sealed class Lease(string token, long leasedAtUnixMs)
    {
        public string Token { get; } = token;

        public long LeasedAtUnixMs { get; } = leasedAtUnixMs;

        public IActorRef? Owner { get; set; }

        /// <summary>Whose quota the lease counts against; null for a recovered lease not yet reclaimed.</summary>
        public string? Holder { get; set; }

        public DateTimeOffset? GraceEndsAt { get; set; }

        public long Generation { get; set; }
    }

    private sealed class SmallSpaceProducer(LockSettings settings, TimeProvider clock, int prefixCount) : IIndirectActorProducer
    {
        public Type ActorType => typeof(LockActor);

        public ActorBase Produce() => new LockActor(settings, clock, prefixCount);

        public void Release(ActorBase actor)
        {
        }
    }

    private readonly record struct GraceEntry(int Prefix, long Generation);

    /// <summary>The grace timer fired: expire the leases whose deadline has passed.</summary>
    internal sealed class GraceTick
    {
        public static readonly GraceTick Instance = new();

        private GraceTick()
        {
        }
    }
}
