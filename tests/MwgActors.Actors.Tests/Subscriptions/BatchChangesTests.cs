using Akka.Actor;
using MwgActors.Actors.Subscriptions;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Subscriptions;

public sealed class BatchChangesTests
{
    private static readonly BatchOperation[] Operations =
        [new([1], [10]), new([2], null), new([3], [30])];

    [Fact]
    public void Subscriptions_matching_every_operation_should_get_the_same_list_per_include_values_flag()
    {
        var batch = new BatchChanges();
        batch.Reset(Operations);
        var (withValues, alsoWithValues, withoutValues) = (Sub(true), Sub(true), Sub(false));

        foreach (var sub in new[] { withValues, alsoWithValues, withoutValues })
        {
            for (var i = 0; i < Operations.Length; i++)
            {
                Assert.Equal(i == 0, batch.Matched(sub, i));
            }
        }

        var shared = batch.Take(withValues);
        Assert.Same(shared, batch.Take(alsoWithValues));
        Assert.Equal([[10], null, [30]], shared.Select(c => c.Value));
        Assert.Equal([null, null, null], batch.Take(withoutValues).Select(c => c.Value));
    }

    [Fact]
    public void A_subscription_matching_part_of_the_batch_should_get_those_operations_in_order()
    {
        var batch = new BatchChanges();
        batch.Reset(Operations);
        var (head, gapped) = (Sub(true), Sub(true));

        batch.Matched(head, 0);
        batch.Matched(head, 1);
        batch.Matched(gapped, 0);
        batch.Matched(gapped, 2);

        Assert.Equal([(byte)1, (byte)2], batch.Take(head).Select(c => c.Key[0]));
        var own = batch.Take(gapped);
        Assert.Equal([(byte)1, (byte)3], own.Select(c => c.Key[0]));
        Assert.Same(Operations[2].Key, own[1].Key);
        Assert.True(batch.Matched(gapped, 1)); // taken: its scratch starts over
    }

    [Fact]
    public void A_new_batch_should_not_hand_out_the_previous_batchs_list()
    {
        var batch = new BatchChanges();
        var sub = Sub(false);
        batch.Reset(Operations);
        batch.Matched(sub, 0);
        batch.Matched(sub, 1);
        batch.Matched(sub, 2);
        var first = batch.Take(sub);

        batch.Reset([new([7], [70])]);
        batch.Matched(sub, 0);
        var second = batch.Take(sub);

        Assert.Equal(3, first.Count);
        Assert.Equal([(byte)7], second.Select(c => c.Key[0]));
    }

    private static Subscription Sub(bool includeValues) => new(ActorRefs.Nobody, 1, [[]], includeValues);
}
