using Akka.Configuration;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>What a catching-up subscription may hold of live notifications (issue 14): the per-subscription byte budget.
/// Debug logging is on so that the overflow the budget takes is seen.</summary>
public sealed class SubscriptionCatchUpBudgetSpec : SubscriptionSpecBase
{
    private const int ValueBytes = 2048;

    public SubscriptionCatchUpBudgetSpec()
        : base(ConfigurationFactory.ParseString("akka.loglevel = DEBUG").WithFallback(SubscriptionTestConfig.ActorSystem))
    {
    }

    [Fact]
    public async Task Large_live_values_past_max_catch_up_buffer_bytes_should_drop_the_buffer_and_still_deliver_every_revision_once()
    {
        // The count bound is far away; two live changes of 2 KiB pass the byte bound.
        var subs = StartSubscriptions(s => s with { ReplayBatchSize = 10, MaxCatchUpBuffer = 10_000, MaxCatchUpBufferBytes = 4096 });
        for (var i = 1; i <= 15; i++)
        {
            Writer.Tell(Batch(($"k/{i}", Value(i))), Writes);
        }

        await foreach (var _ in Writes.ReceiveNAsync(15, Patience))
        {
        }

        // A paced replay from the start with values, whose subscriber stops reading after the first chunk.
        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 0, true, client.Ref, PacedReplay: true), TestActor);
        var revisions = new List<long>();
        await foreach (var m in client.ReceiveNAsync(10, Patience))
        {
            revisions.Add(Assert.IsType<SubscribedKeysChanged>(m).Revision);
        }

        var sent = await client.ExpectMsgAsync<ReplayChunkSent>(Patience);
        var from = client.LastSender;

        // Meanwhile another writer puts large values: holding them would pass the byte budget.
        await EventFilter.Debug(contains: "mwg.subscriptions.max-catch-up-buffer-bytes").ExpectOneAsync(async () =>
        {
            for (var i = 16; i <= 25; i++)
            {
                Writer.Tell(Batch(($"k/{i}", Value(i))), Writes);
            }

            await foreach (var _ in Writes.ReceiveNAsync(10, Patience))
            {
            }
        });

        // The subscriber reads on: the dropped revisions come from the journal, each once, in order.
        from.Tell(new ContinueReplay(sent.Token), client.Ref);
        while (revisions.Count < 25)
        {
            var m = await client.ReceiveOneAsync(Patience);
            if (m is ReplayChunkSent more)
            {
                client.LastSender.Tell(new ContinueReplay(more.Token), client.Ref);
                continue;
            }

            var n = Assert.IsType<SubscribedKeysChanged>(m);
            AssertChanges(n, ($"k/{n.Revision}", false, Value(n.Revision)));
            revisions.Add(n.Revision);
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), revisions);
        Assert.Equal(25, (await ExpectMsgAsync<SubscriptionOpened>(Patience)).CurrentRevision);

        // Live after the seam, and nothing was duplicated before it.
        var next = await WriteAsync(("k/next", "n"));
        Assert.Equal(next, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
    }

    private static string Value(long i) => $"{i}".PadRight(ValueBytes, 'v');
}
