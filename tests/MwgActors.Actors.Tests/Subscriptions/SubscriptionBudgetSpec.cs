using Akka.Actor;
using MwgActors.Actors.Subscriptions;
using ErrorCode = MwgActors.Protocol.ErrorCode;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>What subscriptions may cost the subscription actor (issue 14): the server-wide memory budget.</summary>
public sealed class SubscriptionBudgetSpec : SubscriptionSpecBase
{
    private static readonly byte[][] Prefix100 = [new byte[100]];

    public SubscriptionBudgetSpec()
        : base(SubscriptionTestConfig.ActorSystem)
    {
    }

    [Fact]
    public async Task A_subscribe_past_max_memory_should_be_refused_Overloaded_and_taken_once_another_ends()
    {
        var cost = SubscriptionMemory.Estimate(Prefix100);
        var subs = StartSubscriptions(s => s with { MaxMemoryBytes = (2 * cost) + (cost / 2) });
        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync<SubscriptionOpened>();
        subs.Tell(new OpenSubscription(2, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync<SubscriptionOpened>();

        subs.Tell(new OpenSubscription(3, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync(new OpenSubscriptionRefused(3, ErrorCode.Overloaded));

        // Replacing subscription 2 by a larger one is refused too, and leaves it as it was.
        subs.Tell(new OpenSubscription(2, [new byte[100], new byte[200]], null, false, client.Ref));
        await ExpectMsgAsync(new OpenSubscriptionRefused(2, ErrorCode.Overloaded));
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(2, 1, 2 * cost));

        subs.Tell(new CloseSubscription(1, client.Ref));
        await ExpectMsgAsync(new SubscriptionClosed(1));
        subs.Tell(new OpenSubscription(3, Prefix100, null, false, client.Ref));
        Assert.Equal(3, (await ExpectMsgAsync<SubscriptionOpened>()).SubscriptionId);
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(2, 1, 2 * cost));

        // Its notifications still flow: subscription 2 kept its prefix through the refused replacement.
        var revision = await WriteAsync((System.Text.Encoding.Latin1.GetString(new byte[101]), "v"));
        var notified = new[] { await client.ExpectMsgAsync<SubscribedKeysChanged>(), await client.ExpectMsgAsync<SubscribedKeysChanged>() };
        Assert.Equal([2L, 3L], notified.Select(n => n.SubscriptionId).Order());
        Assert.All(notified, n => Assert.Equal(revision, n.Revision));
    }

    [Fact]
    public async Task A_subscribe_exempt_from_the_budget_should_be_taken_even_when_it_is_full()
    {
        var cost = SubscriptionMemory.Estimate(Prefix100);
        var subs = StartSubscriptions(s => s with { MaxMemoryBytes = cost });
        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync<SubscriptionOpened>();
        subs.Tell(new OpenSubscription(2, Prefix100, null, false, client.Ref));
        await ExpectMsgAsync(new OpenSubscriptionRefused(2, ErrorCode.Overloaded));

        // The internal push subscription of a G1 connection: counted, never refused.
        subs.Tell(new OpenSubscription(0, [[]], null, true, client.Ref, ExemptFromBudget: true));
        Assert.Equal(0, (await ExpectMsgAsync<SubscriptionOpened>()).SubscriptionId);
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(2, 1, cost + SubscriptionMemory.Estimate([[]])));
    }
}
