using Akka.Actor;
using Akka.Configuration;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>The seam between journal replay and the live stream, with the journal read held at a gate.</summary>
public sealed class SubscriptionCatchUpSpec : SubscriptionSpecBase
{
    private static int _systems;

    private static readonly Config GatedConfig = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "mwg-test.gated-journal"
        mwg-test.gated-journal {
          class = "MwgActors.Actors.Tests.Subscriptions.GatedJournal, MwgActors.Actors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """).WithFallback(SubscriptionTestConfig.ActorSystem);

    private readonly GatedJournal.Gate _gate;

    public SubscriptionCatchUpSpec()
        : base(GatedConfig, $"catch-up-{Interlocked.Increment(ref _systems)}")
    {
        _gate = GatedJournal.For(Sys);
    }

    [Fact]
    public async Task Live_changes_during_the_replay_should_follow_it_at_the_seam_with_deferred_reloads_last()
    {
        var subs = StartSubscriptions();
        for (var i = 1; i <= 10; i++)
        {
            await WriteAsync(($"k/{i}", $"{i}"));
        }

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 4, true, client.Ref), TestActor);
        await _gate.Entered.Task.WaitAsync(Patience); // the read knows the head is 10 and waits

        for (var i = 11; i <= 15; i++)
        {
            await WriteAsync(($"k/{i}", $"{i}")); // published live while the subscription catches up
        }

        subs.Tell(new ForceReload([Utf8("k/1")]), TestActor);
        await ExpectMsgAsync(new ReloadPushed(1));
        _gate.Open.SetResult();

        var revisions = new List<long>();
        await foreach (var m in client.ReceiveNAsync(11, Patience))
        {
            var n = Assert.IsType<SubscribedKeysChanged>(m);
            AssertChanges(n, ($"k/{n.Revision}", false, $"{n.Revision}"));
            revisions.Add(n.Revision);
        }

        Assert.Equal(Enumerable.Range(5, 11).Select(i => (long)i), revisions);
        await ExpectMsgAsync(new SubscriptionOpened(1, 15));
        AssertReload(await client.ExpectMsgAsync<ReloadRequired>(), 1, "k/1");
    }

    [Fact]
    public async Task A_failed_journal_read_should_answer_subscribe_failed_and_drop_the_subscription()
    {
        var subs = StartSubscriptions();
        await WriteAsync(("k/1", "1"));

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(9, [Utf8("k/")], 0, false, client.Ref), TestActor);
        await _gate.Entered.Task.WaitAsync(Patience);
        _gate.Open.SetException(new InvalidOperationException("journal unavailable"));

        await ExpectMsgAsync(new OpenSubscriptionFailed(9));
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(0, 0, 0));
    }

    protected override void AfterAll()
    {
        GatedJournal.Forget(Sys);
        base.AfterAll();
    }
}
