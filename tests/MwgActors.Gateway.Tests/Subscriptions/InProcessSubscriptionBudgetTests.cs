using System.Text;
using MwgActors.Actors.Api;
using MwgActors.TestKit;

namespace MwgActors.Gateway.Tests;

/// <summary>The in-process API shares the server-wide subscription memory budget (mwg.subscriptions.max-memory).</summary>
public sealed class InProcessSubscriptionBudgetTests : MwgSpec
{
    // A subscription of one 1000-byte prefix is estimated at under 4 KB: two fit in 9k beside the harness's own
    // (it records every change through one subscription of the empty prefix), a third does not.
    public InProcessSubscriptionBudgetTests()
        : base("mwg.subscriptions.max-memory = 9k")
    {
    }

    [Fact]
    public async Task A_subscribe_past_the_budget_should_throw_Overloaded_until_a_subscription_ends()
    {
        var first = await Store.SubscribeAsync([Prefix("a")]);
        await using var second = await Store.SubscribeAsync([Prefix("b")]);

        var refused = await Assert.ThrowsAsync<MwgApiException>(() => Store.SubscribeAsync([Prefix("c")]));
        Assert.Equal(MwgApiError.Overloaded, refused.Error);
        Assert.True(refused.IsRetryable);

        await first.DisposeAsync();
        await AwaitAssertAsync(
            async () => await (await Store.SubscribeAsync([Prefix("c")])).DisposeAsync(),
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(100));
    }

    private static byte[] Prefix(string tag) => Encoding.UTF8.GetBytes($"alice/{tag}/".PadRight(1000, 'x'));
}
