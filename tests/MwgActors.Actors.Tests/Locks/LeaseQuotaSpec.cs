using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Locks;
using static MwgActors.Actors.Locks.LockProtocol;

namespace MwgActors.Actors.Tests.Locks;

/// <summary>
/// Issue 14, finding 6: one owner (a token subject, or a connection without one) holds at most
/// <see cref="LockSettings.MaxLeasesPerOwner"/> leases, those in grace included; and an original Java client, which keeps
/// its prefix in a <c>short</c>, is only ever handed 0..32767.
/// </summary>
public sealed class LeaseQuotaSpec : TestKit
{
    private const int Quota = 3;

    // The correlation id of every request here: the lock actor echoes it (LockActorSpec checks that per reply kind).
    private const long Id = 7;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly LockSettings _settings = new(Grace, "quota-" + Guid.NewGuid().ToString("N"), 1000, "", "", Quota);

    public LeaseQuotaSpec()
        : base(LockTestConfig.InMemory)
    {
    }

    [Fact]
    public async Task A_subject_should_get_its_quota_across_connections_then_LeaseQuotaExceeded_while_others_still_lease()
    {
        var locks = Start();
        var first = CreateTestProbe().Ref;
        var second = CreateTestProbe().Ref;

        await Grant(locks, new AcquirePrefix(first, Id, Subject: "bob"));
        await Grant(locks, new AcquirePrefix(second, Id, Subject: "bob"));
        await Grant(locks, new AcquirePrefix(second, Id, Subject: "bob"));

        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(first, Id, Subject: "bob")));
        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(CreateTestProbe().Ref, Id, Subject: "bob")));
        Assert.Equal(3, (await Grant(locks, new AcquirePrefix(first, Id, Subject: "alice"))).Prefix);
        Assert.Equal(4, (await Grant(locks, new AcquirePrefix(first, Id))).Prefix);
    }

    [Fact]
    public async Task Without_a_subject_each_connection_should_be_its_own_owner()
    {
        var locks = Start();
        var greedy = CreateTestProbe().Ref;
        for (var i = 0; i < Quota; i++)
        {
            await Grant(locks, new AcquirePrefix(greedy, Id, ShortPrefix: true));
        }

        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(greedy, Id, ShortPrefix: true)));
        Assert.Equal(Quota, (await Grant(locks, new AcquirePrefix(CreateTestProbe().Ref, Id, ShortPrefix: true))).Prefix);
    }

    [Fact]
    public async Task A_released_lease_should_give_its_place_in_the_quota_back()
    {
        var locks = Start();
        var owner = CreateTestProbe().Ref;
        var grants = new List<PrefixGranted>();
        for (var i = 0; i < Quota; i++)
        {
            grants.Add(await Grant(locks, new AcquirePrefix(owner, Id, Subject: "bob")));
        }

        Assert.IsType<PrefixReleased>(await Ask(locks, new ReleasePrefix(grants[1].Prefix, grants[1].LeaseToken, Id)));

        Assert.Equal(grants[1].Prefix, (await Grant(locks, new AcquirePrefix(owner, Id, Subject: "bob"))).Prefix);
        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(owner, Id, Subject: "bob")));
    }

    [Fact]
    public async Task Leases_in_grace_should_still_count_and_be_reclaimable_by_their_subject()
    {
        var locks = Start();
        var dropped = CreateTestProbe();
        var grants = new List<PrefixGranted>();
        for (var i = 0; i < Quota; i++)
        {
            grants.Add(await Grant(locks, new AcquirePrefix(dropped.Ref, Id, Subject: "bob")));
        }

        Watch(dropped.Ref);
        Sys.Stop(dropped.Ref);
        await ExpectTerminatedAsync(dropped.Ref);
        await AwaitAssertAsync(async () => Assert.All((await Leases(locks)).Leases, l => Assert.False(l.OwnerConnected)));

        // The dropped connection's leases are still held: a new connection of the same subject gets no more...
        var reconnected = CreateTestProbe().Ref;
        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(reconnected, Id, Subject: "bob")));

        // ...but reclaims them, which moves nothing to another quota.
        var claim = new PrefixClaim(grants[0].Prefix, grants[0].LeaseToken);
        Assert.Equal(grants[0], await Ask(locks, new AcquirePrefix(reconnected, Id, claim, "bob")));

        // Once the grace of the others ends they are freed, and so is their place in the quota.
        _clock.Advance(Grace + TimeSpan.FromSeconds(1));
        await AwaitAssertAsync(async () => Assert.Single((await Leases(locks)).Leases));
        await Grant(locks, new AcquirePrefix(reconnected, Id, Subject: "bob"));
        await Grant(locks, new AcquirePrefix(reconnected, Id, Subject: "bob"));
        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(reconnected, Id, Subject: "bob")));
    }

    [Fact]
    public async Task A_reclaim_that_would_put_another_owner_over_its_quota_should_be_refused()
    {
        var locks = Start();
        var bobs = await Grant(locks, new AcquirePrefix(CreateTestProbe().Ref, Id, Subject: "bob"));
        var alice = CreateTestProbe().Ref;
        for (var i = 0; i < Quota; i++)
        {
            await Grant(locks, new AcquirePrefix(alice, Id, Subject: "alice"));
        }

        Assert.Equal(QuotaExceeded, await Ask(locks, new AcquirePrefix(alice, Id, new PrefixClaim(bobs.Prefix, bobs.LeaseToken), "alice")));
        Assert.Contains(new LeaseState(bobs.Prefix, true, null), (await Leases(locks)).Leases);
    }

    [Fact]
    public async Task A_short_prefix_request_should_be_refused_rather_than_handed_a_prefix_above_32767()
    {
        var locks = Start(_settings with { MaxLeasesPerOwner = LockActor.PrefixCount });
        var extended = CreateTestProbe();

        // An extended client holds every short prefix (pipelined: one ask each would take long).
        const int Shorts = LockActor.MaxShortPrefix + 1;
        for (var i = 0; i < Shorts; i++)
        {
            locks.Tell(new AcquirePrefix(extended.Ref, i), extended.Ref);
        }

        var granted = new List<PrefixGranted>();
        await foreach (var reply in extended.ReceiveNAsync(Shorts, TimeSpan.FromMinutes(2)))
        {
            granted.Add(Assert.IsType<PrefixGranted>(reply));
        }

        Assert.Equal(Enumerable.Range(0, Shorts), granted.Select(g => g.Prefix));

        // An extended client still gets a prefix above; an original one gets none rather than a negative one.
        Assert.Equal(Shorts, (await Grant(locks, new AcquirePrefix(CreateTestProbe().Ref, Id))).Prefix);
        var original = CreateTestProbe().Ref;
        Assert.Equal(new PrefixRefused(LockRefusal.NoFreePrefix, Id), await Ask(locks, new AcquirePrefix(original, Id, ShortPrefix: true)));

        // A short prefix set free goes to the original client.
        Assert.IsType<PrefixReleased>(await Ask(locks, new ReleasePrefix(100, granted[100].LeaseToken, Id)));
        Assert.Equal(100, (await Grant(locks, new AcquirePrefix(original, Id, ShortPrefix: true))).Prefix);
    }

    private static readonly PrefixRefused QuotaExceeded = new(LockRefusal.LeaseQuotaExceeded, Id);

    private IActorRef Start(LockSettings? settings = null) => Sys.ActorOf(LockActor.Props(settings ?? _settings, _clock));

    private static Task<object> Ask(IActorRef locks, object request) => locks.Ask<object>(request, AskTimeout);

    private static async Task<PrefixGranted> Grant(IActorRef locks, AcquirePrefix request) =>
        Assert.IsType<PrefixGranted>(await Ask(locks, request));

    private static Task<LeaseList> Leases(IActorRef locks) => locks.Ask<LeaseList>(GetLeases.Instance, AskTimeout);
}
