using Akka.Actor;
using Akka.Configuration;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>
/// A resume point beyond the log (issue 14, finding 8): at 2^63-1, adding one to it wrapped to -2^63 and the
/// catch-up read the log from its start. It is answered ResumeTooOld without reading any event.
/// </summary>
public sealed class SubscriptionResumeBeyondLogSpec : SubscriptionSpecBase
{
    private static int _systems;

    private static readonly Config CountingConfig = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "mwg-test.counting-journal"
        mwg-test.counting-journal {
          class = "MwgActors.Actors.Tests.Subscriptions.CountingJournal, MwgActors.Actors.Tests"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """).WithFallback(SubscriptionTestConfig.ActorSystem);

    public SubscriptionResumeBeyondLogSpec()
        : base(CountingConfig, $"beyond-log-{Interlocked.Increment(ref _systems)}")
    {
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

        subs.Tell(new OpenSubscription(1, [Utf8("a")], long.MaxValue, false, client.Ref));

        Assert.Equal(new ResumeTooOld(1, newest), await client.ExpectMsgAsync<ResumeTooOld>());
        Assert.Equal(newest, (await ExpectMsgAsync<SubscriptionOpened>()).CurrentRevision);
        Assert.Equal(before, CountingJournal.ReplayedEvents(Sys));

        // Live from the newest revision on.
        var next = await WriteAsync(("a4", "w"));
        Assert.Equal(next, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
    }

    protected override void AfterAll()
    {
        CountingJournal.Forget(Sys);
        base.AfterAll();
    }
}
