using Akka.Actor;
using Akka.Configuration;
using MwgActors.Actors.Subscriptions;
using ErrorCode = MwgActors.Protocol.ErrorCode;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>
/// What a subscriber may cost the subscription actor (issue 14): the server-wide memory budget, and a resume point
/// so far ahead that adding one to it would wrap around.
/// </summary>
public sealed class SubscriptionBudgetSpec : SubscriptionSpecBase
{
    private static int _systems;

    private static readonly Config CountingConfig = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "mwg-test.counting-journal"
        mwg-test.counting-journal {
          class = "MwgActors.Actors.Tests.Subscriptions.CountingJournal, MwgActors.Actors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """).WithFallback(SubscriptionTestConfig.ActorSystem);

    private static readonly byte[][] Prefix100 = [new byte[100]];

    public SubscriptionBudgetSpec()
        : base(CountingConfig, $"budget-{Interlocked.Increment(ref _systems)}")
    {
    }

    [Fact]
    public async Task A_subscribe_past_max_memory_should_be_refused_Overloaded_and_taken_once_another_ends()
    {
        var cost = SubscriptionMemory.Estimate(Prefix100);
        var subs = StartSubscriptions(s => s with { MaxMemoryBytes = (2 * cost) + (cost / 2) });
        var client = CreateTestProbe();
        subs.Tell(new Subscribe(1, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync<Subscribed>();
        subs.Tell(new Subscribe(2, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync<Subscribed>();

        subs.Tell(new Subscribe(3, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync(new SubscribeRefused(3, ErrorCode.Overloaded));

        // Replacing subscription 2 by a larger one is refused too, and leaves it as it was.
        subs.Tell(new Subscribe(2, [new byte[100], new byte[200]], null, false, client.Ref));
        await ExpectMsgAsync(new SubscribeRefused(2, ErrorCode.Overloaded));
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(2, 1, 2 * cost));

        subs.Tell(new Unsubscribe(1, client.Ref));
        await ExpectMsgAsync(new Unsubscribed(1));
        subs.Tell(new Subscribe(3, Prefix100, null, false, client.Ref));
        Assert.Equal(3, (await ExpectMsgAsync<Subscribed>()).SubscriptionId);
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(2, 1, 2 * cost));

        // Its notifications still flow: subscription 2 kept its prefix through the refused replacement.
        var revision = await WriteAsync((System.Text.Encoding.Latin1.GetString(new byte[101]), "v"));
        var notified = new[] { await client.ExpectMsgAsync<ChangeNotification>(), await client.ExpectMsgAsync<ChangeNotification>() };
        Assert.Equal([2L, 3L], notified.Select(n => n.SubscriptionId).Order());
        Assert.All(notified, n => Assert.Equal(revision, n.Revision));
    }

    [Fact]
    public async Task A_resume_point_at_long_MaxValue_should_answer_resume_too_old_without_reading_the_log()
    {
        var subs = StartSubscriptions();
        await WriteAsync(("a1", "x"));
        await WriteAsync(("a2", "y"));
        var newest = await WriteAsync(("a3", "z"));
        var client = CreateTestProbe();
        var before = CountingJournal.ReplayedEvents(Sys);

        subs.Tell(new Subscribe(1, [Utf8("a")], long.MaxValue, false, client.Ref));

        Assert.Equal(new ResumeTooOld(1, newest), await client.ExpectMsgAsync<ResumeTooOld>());
        Assert.Equal(newest, (await ExpectMsgAsync<Subscribed>()).CurrentRevision);
        Assert.Equal(before, CountingJournal.ReplayedEvents(Sys));

        // Live from the newest revision on.
        var next = await WriteAsync(("a4", "w"));
        Assert.Equal(next, (await client.ExpectMsgAsync<ChangeNotification>()).Revision);
    }

    protected override void AfterAll()
    {
        CountingJournal.Forget(Sys);
        base.AfterAll();
    }
}
