using System.Collections.Concurrent;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Locks;
using static MwgActors.Actors.Locks.LockProtocol;

namespace MwgActors.Actors.Tests.Locks;

public sealed class LockActorSpec : TestKit
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private static long _nextId = 1000;

    // Grace periods run on this clock: the specs move it instead of waiting.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LockSettings _settings = new(Grace, "locks-" + Guid.NewGuid().ToString("N"), 1000, "", "", 64);

    public LockActorSpec()
        : base(LockTestConfig.InMemory)
    {
    }

    [Fact]
    public async Task Acquire_should_hand_out_the_lowest_free_prefix_first()
    {
        var locks = Start();

        var prefixes = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            prefixes.Add((await Grant(locks, CreateTestProbe().Ref)).Prefix);
        }

        Assert.Equal([0, 1, 2], prefixes);
    }

    [Fact]
    public async Task A_released_prefix_should_be_the_next_one_handed_out()
    {
        var locks = Start();
        var owner = CreateTestProbe().Ref;
        _ = await Grant(locks, owner);
        var second = await Grant(locks, owner);
        _ = await Grant(locks, owner);

        Assert.Equal(new PrefixReleased(1, 11), await locks.Ask<object>(new ReleasePrefix(1, second.LeaseToken, 11), AskTimeout));

        Assert.Equal(1, (await Grant(locks, owner)).Prefix);
        Assert.Equal(3, (await Grant(locks, owner)).Prefix);
    }

    [Fact]
    public async Task Fifty_concurrent_owners_should_get_fifty_distinct_prefixes_and_tokens()
    {
        var locks = Start();
        var owners = Enumerable.Range(0, 50).Select(_ => CreateTestProbe().Ref).ToList();

        var grants = await Task.WhenAll(owners.Select(owner => Grant(locks, owner)));

        Assert.Equal(Enumerable.Range(0, 50), grants.Select(g => g.Prefix).Order());
        Assert.Equal(50, grants.Select(g => g.LeaseToken).Distinct().Count());
    }

    [Fact]
    public async Task Fifty_clients_locking_and_unlocking_at_once_should_never_share_a_prefix()
    {
        var locks = Start();
        var held = new ConcurrentDictionary<int, int>();
        var clashes = 0;

        async Task Client(int id, IActorRef owner)
        {
            for (var round = 0; round < 5; round++)
            {
                var grant = await Grant(locks, owner);
                if (!held.TryAdd(grant.Prefix, id))
                {
                    Interlocked.Increment(ref clashes);
                }

                // Drop it from the shared view before releasing: the actor may hand it out once it has the release.
                held.TryRemove(grant.Prefix, out _);
                Assert.IsType<PrefixReleased>(await locks.Ask<object>(new ReleasePrefix(grant.Prefix, grant.LeaseToken, round), AskTimeout));
            }
        }

        var owners = Enumerable.Range(0, 50).Select(_ => CreateTestProbe().Ref).ToList();
        await Task.WhenAll(owners.Select((owner, id) => Task.Run(() => Client(id, owner))));

        Assert.Equal(0, clashes);
        Assert.Empty((await Leases(locks)).Leases);
    }

    [Fact]
    public async Task Release_with_a_wrong_token_should_be_refused_and_keep_the_lease()
    {
        var locks = Start();
        var grant = await Grant(locks, CreateTestProbe().Ref);

        Assert.Equal(
            new PrefixRefused(LockRefusal.InvalidLeaseToken, 21),
            await locks.Ask<object>(new ReleasePrefix(grant.Prefix, "not-the-token", 21), AskTimeout));

        Assert.Equal(1, (await Grant(locks, CreateTestProbe().Ref)).Prefix);
        Assert.Equal(new PrefixReleased(0, 22), await locks.Ask<object>(new ReleasePrefix(0, grant.LeaseToken, 22), AskTimeout));
    }

    [Theory]
    [InlineData(-1, LockRefusal.InvalidPrefix)]
    [InlineData(65_536, LockRefusal.InvalidPrefix)]
    [InlineData(5, LockRefusal.InvalidLeaseToken)]
    public async Task Release_of_a_prefix_not_leased_should_be_refused(int prefix, LockRefusal reason)
    {
        var locks = Start();

        Assert.Equal(new PrefixRefused(reason, 31), await locks.Ask<object>(new ReleasePrefix(prefix, "token", 31), AskTimeout));
    }

    [Fact]
    public async Task A_dead_owners_prefix_should_be_kept_through_grace_and_reclaimed_with_its_token()
    {
        var locks = Start();
        var owner = CreateTestProbe();
        var grant = await Grant(locks, owner.Ref);

        await StopAndAwaitGrace(locks, owner, grant.Prefix, _clock.GetUtcNow() + Grace);
        Assert.Equal(1, (await Grant(locks, CreateTestProbe().Ref)).Prefix);

        _clock.Advance(Grace - TimeSpan.FromMilliseconds(1));
        var reconnected = CreateTestProbe();
        var reclaimed = await locks.Ask<object>(new AcquirePrefix(reconnected.Ref, 41, new PrefixClaim(0, grant.LeaseToken)), AskTimeout);

        Assert.Equal(new PrefixGranted(0, grant.LeaseToken, 41), reclaimed);
        Assert.Equal(new LeaseState(0, true, null), (await Leases(locks)).Leases[0]);

        // The new owner holds it like any live lease: the old deadline passing changes nothing.
        _clock.Advance(Grace);
        Assert.Equal(2, (await Grant(locks, CreateTestProbe().Ref)).Prefix);
    }

    [Fact]
    public async Task A_dead_owners_prefix_should_be_freed_after_grace_and_handed_out_again()
    {
        var locks = Start();
        var owner = CreateTestProbe();
        var grant = await Grant(locks, owner.Ref);
        await StopAndAwaitGrace(locks, owner, grant.Prefix, _clock.GetUtcNow() + Grace);

        _clock.Advance(Grace);

        Assert.Equal(
            new PrefixRefused(LockRefusal.InvalidLeaseToken, 51),
            await locks.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 51, new PrefixClaim(0, grant.LeaseToken)), AskTimeout));
        var next = await Grant(locks, CreateTestProbe().Ref);
        Assert.Equal(0, next.Prefix);
        Assert.NotEqual(grant.LeaseToken, next.LeaseToken);
    }

    [Fact]
    public async Task Reclaim_with_a_wrong_token_should_be_refused_and_leave_the_lease_reclaimable()
    {
        var locks = Start();
        var owner = CreateTestProbe();
        var grant = await Grant(locks, owner.Ref);
        await StopAndAwaitGrace(locks, owner, grant.Prefix, _clock.GetUtcNow() + Grace);

        Assert.Equal(
            new PrefixRefused(LockRefusal.InvalidLeaseToken, 61),
            await locks.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 61, new PrefixClaim(0, "guessed")), AskTimeout));
        Assert.Equal(
            new PrefixRefused(LockRefusal.InvalidPrefix, 62),
            await locks.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 62, new PrefixClaim(70_000, grant.LeaseToken)), AskTimeout));

        Assert.Equal(
            new PrefixGranted(0, grant.LeaseToken, 63),
            await locks.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 63, new PrefixClaim(0, grant.LeaseToken)), AskTimeout));
    }

    [Fact]
    public async Task A_reclaim_from_a_new_connection_should_move_a_live_lease_and_watch_the_new_owner()
    {
        var locks = Start();
        var oldConnection = CreateTestProbe();
        var grant = await Grant(locks, oldConnection.Ref);
        var newConnection = CreateTestProbe();

        Assert.Equal(
            new PrefixGranted(0, grant.LeaseToken, 71),
            await locks.Ask<object>(new AcquirePrefix(newConnection.Ref, 71, new PrefixClaim(0, grant.LeaseToken)), AskTimeout));

        await StopAndAwaitGrace(locks, newConnection, 0, _clock.GetUtcNow() + Grace);
    }

    [Fact]
    public async Task A_restarted_lock_actor_should_keep_leases_in_grace_for_reclaim_then_expire_the_rest()
    {
        var locks = Start();
        var owner = CreateTestProbe().Ref;
        var first = await Grant(locks, owner);
        var second = await Grant(locks, owner);
        Assert.IsType<PrefixReleased>(await locks.Ask<object>(new ReleasePrefix(1, second.LeaseToken, 81), AskTimeout));
        var third = await Grant(locks, owner);
        var fourth = await Grant(locks, owner);
        Assert.Equal([0, 1, 2], new[] { first.Prefix, third.Prefix, fourth.Prefix });

        await Restart(locks);
        var restarted = Start();

        // Recovered leases have no live owner: all wait in grace from the recovery time.
        var deadline = _clock.GetUtcNow() + Grace;
        Assert.Equal(
            [new LeaseState(0, false, deadline), new LeaseState(1, false, deadline), new LeaseState(2, false, deadline)],
            (await Leases(restarted)).Leases);
        Assert.Equal(3, (await Grant(restarted, CreateTestProbe().Ref)).Prefix);

        _clock.Advance(Grace - TimeSpan.FromSeconds(1));
        Assert.Equal(
            new PrefixGranted(0, first.LeaseToken, 82),
            await restarted.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 82, new PrefixClaim(0, first.LeaseToken)), AskTimeout));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(
            new PrefixRefused(LockRefusal.InvalidLeaseToken, 83),
            await restarted.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 83, new PrefixClaim(1, third.LeaseToken)), AskTimeout));
        Assert.Equal(1, (await Grant(restarted, CreateTestProbe().Ref)).Prefix);
        Assert.Equal(2, (await Grant(restarted, CreateTestProbe().Ref)).Prefix);
    }

    [Fact]
    public async Task A_live_owner_renewing_after_a_lock_actor_restart_should_keep_its_lease_past_grace()
    {
        var locks = Start();
        var owner = CreateTestProbe().Ref;
        var kept = await Grant(locks, owner);
        var lost = await Grant(locks, owner);

        await Restart(locks);
        var restarted = Start();
        restarted.Tell(new RenewLeases(owner, [new PrefixClaim(kept.Prefix, kept.LeaseToken), new PrefixClaim(lost.Prefix, "not-the-token")]));

        // The renewed lease is attached to its live owner again; the one renewed with a wrong token stays in grace.
        var deadline = _clock.GetUtcNow() + Grace;
        await AwaitAssertAsync(async () => Assert.Equal(
            [new LeaseState(kept.Prefix, true, null), new LeaseState(lost.Prefix, false, deadline)],
            (await Leases(restarted)).Leases));

        _clock.Advance(Grace);
        Assert.Equal(
            new PrefixRefused(LockRefusal.InvalidLeaseToken, 91),
            await restarted.Ask<object>(new AcquirePrefix(CreateTestProbe().Ref, 91, new PrefixClaim(lost.Prefix, lost.LeaseToken)), AskTimeout));
        Assert.Equal(lost.Prefix, (await Grant(restarted, CreateTestProbe().Ref)).Prefix);
        Assert.Equal(2, (await Grant(restarted, CreateTestProbe().Ref)).Prefix);
    }

    [Fact]
    public async Task Expiries_should_be_journaled_so_a_second_restart_does_not_bring_expired_leases_back()
    {
        var locks = Start();
        _ = await Grant(locks, CreateTestProbe().Ref);
        await Restart(locks);
        var restarted = Start();
        Assert.Single((await Leases(restarted)).Leases);

        _clock.Advance(Grace);
        await AwaitAssertAsync(async () => Assert.Empty((await Leases(restarted)).Leases));
        await Restart(restarted);

        Assert.Empty((await Leases(Start())).Leases);
    }

    [Fact]
    public async Task A_snapshot_should_replace_the_events_it_covers_and_restore_the_lease_table()
    {
        var settings = _settings with { SnapshotEvery = 3 };
        var locks = Start(settings);
        var owner = CreateTestProbe().Ref;
        _ = await Grant(locks, owner);
        var second = await Grant(locks, owner);
        _ = await Grant(locks, owner);
        Assert.IsType<PrefixReleased>(await locks.Ask<object>(new ReleasePrefix(1, second.LeaseToken, 101), AskTimeout));

        // Events 1..3 are deleted once snapshot 3 is saved; only the release stays in the journal.
        await AwaitAssertAsync(async () =>
            Assert.Equal([new LeaseReleased(1)], await Journal.Replay(Sys, settings.PersistenceId)));

        await Restart(locks);
        var restarted = Start(settings);
        Assert.Equal([0, 2], (await Leases(restarted)).Leases.Select(l => l.Prefix));
        Assert.Equal(1, (await Grant(restarted, owner)).Prefix);
    }

    [Fact]
    public async Task Acquire_should_be_refused_when_every_prefix_is_leased()
    {
        var locks = Sys.ActorOf(LockActor.Props(_settings, _clock, prefixCount: 2));
        var owner = CreateTestProbe().Ref;
        _ = await Grant(locks, owner);
        var second = await Grant(locks, owner);

        Assert.Equal(new PrefixRefused(LockRefusal.NoFreePrefix, 111), await locks.Ask<object>(new AcquirePrefix(owner, 111), AskTimeout));

        Assert.IsType<PrefixReleased>(await locks.Ask<object>(new ReleasePrefix(1, second.LeaseToken, 112), AskTimeout));
        Assert.Equal(1, (await Grant(locks, owner)).Prefix);
    }

    [Fact]
    public async Task Acquire_without_an_owner_should_fail_the_caller_and_keep_the_actor_serving()
    {
        var locks = Start();
        _ = await Grant(locks, CreateTestProbe().Ref);

        await Assert.ThrowsAsync<ArgumentException>(() => locks.Ask<object>(new AcquirePrefix(null!, 121), AskTimeout));

        Assert.Equal(new LeaseState(0, true, null), Assert.Single((await Leases(locks)).Leases));
    }

    private IActorRef Start(LockSettings? settings = null) => Sys.ActorOf(LockActor.Props(settings ?? _settings, _clock));

    // Each grant under an id of its own, which the reply must carry back.
    private static async Task<PrefixGranted> Grant(IActorRef locks, IActorRef owner)
    {
        var id = Interlocked.Increment(ref _nextId);
        var granted = Assert.IsType<PrefixGranted>(await locks.Ask<object>(new AcquirePrefix(owner, id), AskTimeout));
        Assert.Equal(id, granted.CorrelationId);
        return granted;
    }

    private static async Task<LeaseList> Leases(IActorRef locks)
    {
        var id = Interlocked.Increment(ref _nextId);
        var list = await locks.Ask<LeaseList>(new GetLeases(id), AskTimeout);
        Assert.Equal(id, list.CorrelationId);
        return list;
    }

    private async Task StopAndAwaitGrace(IActorRef locks, Akka.TestKit.TestProbe owner, int prefix, DateTimeOffset deadline)
    {
        Watch(owner.Ref);
        Sys.Stop(owner.Ref);
        await ExpectTerminatedAsync(owner.Ref);

        // The lock actor learns of the death on its own; wait until it has put the lease in grace.
        await AwaitAssertAsync(async () =>
            Assert.Contains(new LeaseState(prefix, false, deadline), (await Leases(locks)).Leases));
    }

    // Stops the lock actor as a server shutdown would; the next Start recovers from the same journal.
    private async Task Restart(IActorRef locks)
    {
        Watch(locks);
        Sys.Stop(locks);
        await ExpectTerminatedAsync(locks);
    }
}
