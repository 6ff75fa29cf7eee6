using Akka.Actor;
using Akka.Persistence;
using MwgActors.Actors.Subscriptions;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

public sealed class SubscriptionActorSpec : SubscriptionSpecBase
{
    public SubscriptionActorSpec()
        : base(SubscriptionTestConfig.ActorSystem)
    {
    }

    [Fact]
    public async Task Changes_should_notify_only_subscriptions_whose_prefix_matches()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, ["users/"]);

        var first = await WriteAsync(("users/1", "a"), ("orders/1", "b"));
        await WriteAsync(("orders/2", "c"));
        var third = await WriteAsync(("users/2", null));

        var n1 = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal((1L, first), (n1.SubscriptionId, n1.Revision));
        AssertChanges(n1, ("users/1", false, null));
        // The batch touching only orders/ sent nothing: the next notification is the third batch.
        var n3 = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(third, n3.Revision);
        AssertChanges(n3, ("users/2", true, null));
    }

    [Fact]
    public async Task A_live_change_published_after_the_journal_delivered_it_should_not_be_delivered_again()
    {
        // The writer journals on the spec's bus; this subscription actor listens to a bus that lags behind.
        var held = new HeldBus();
        var subs = Sys.ActorOf(SubscriptionActor.Props(SubscriptionSettings.Create(SubscriptionTestConfig.ActorSystem), held));
        var operations = new[] { ("k/1", "1"), ("k/2", "2"), ("k/3", "3") };
        foreach (var operation in operations)
        {
            await WriteAsync(operation);
        }

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 1, true, client.Ref), TestActor);
        Assert.Equal(2, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
        Assert.Equal(3, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
        await ExpectMsgAsync(new SubscriptionOpened(1, 3));

        // Revisions 2 and 3 reach the bus only now, after the journal delivered them; then revision 4.
        held.Publish(new MwgActors.Actors.Storage.ChangesCommitted(2, Batch(("k/2", "2")).Operations));
        held.Publish(new MwgActors.Actors.Storage.ChangesCommitted(3, Batch(("k/3", "3")).Operations));
        held.Publish(new MwgActors.Actors.Storage.ChangesCommitted(4, Batch(("k/4", "4")).Operations));

        Assert.Equal(4, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
    }

    [Fact]
    public async Task An_empty_prefix_should_match_every_key_and_carry_values_when_asked()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, [""], includeValues: true);

        var revision = await WriteAsync(("a", "1"), ("zz", null), ("", "root"));

        var n = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(revision, n.Revision);
        AssertChanges(n, ("a", false, "1"), ("zz", true, null), ("", false, "root"));
    }

    [Fact]
    public async Task Overlapping_prefixes_of_one_subscription_should_give_one_notification_with_each_key_once()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 7, ["a", "ab", "abc", "ab"]);

        var first = await WriteAsync(("abcd", "1"), ("ax", "2"), ("b", "3"));
        var second = await WriteAsync(("abc", "4"));

        var n1 = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(first, n1.Revision);
        AssertChanges(n1, ("abcd", false, null), ("ax", false, null));
        var n2 = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(second, n2.Revision);
        AssertChanges(n2, ("abc", false, null));
    }

    [Fact]
    public async Task Notifications_should_arrive_in_revision_order_over_many_batches()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, ["k/"]);

        for (var i = 0; i < 300; i++)
        {
            Writer.Tell(Batch(($"k/{i % 7}", $"{i}")), Writes);
        }

        var revisions = new List<long>();
        await foreach (var n in client.ReceiveNAsync(300, Patience))
        {
            var notification = Assert.IsType<SubscribedKeysChanged>(n);
            AssertChanges(notification, ($"k/{revisions.Count % 7}", false, null));
            revisions.Add(notification.Revision);
        }

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), revisions);
    }

    [Fact]
    public async Task Unsubscribe_should_stop_notifications_for_that_subscription_only()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, ["k"]);
        await SubscribeAsync(subs, client, 2, ["k"]);

        subs.Tell(new CloseSubscription(1, client.Ref), TestActor);
        await ExpectMsgAsync(new SubscriptionClosed(1));
        var first = await WriteAsync(("k1", "x"));
        var second = await WriteAsync(("k2", "y"));

        // Had subscription 1 survived, its notification for the first batch would come before the second batch's.
        var n1 = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        var n2 = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal((2L, first), (n1.SubscriptionId, n1.Revision));
        Assert.Equal((2L, second), (n2.SubscriptionId, n2.Revision));
    }

    [Fact]
    public async Task A_paused_subscription_should_free_what_it_held_and_resume_after_the_last_delivered_revision()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, ["k"]);
        var delivered = await WriteAsync(("k1", "x"));
        Assert.Equal(delivered, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);

        subs.Tell(new PauseSubscription(1, client.Ref), TestActor);
        await ExpectMsgAsync(new SubscriptionPaused(1));
        subs.Tell(GetStats.Instance, TestActor);
        var stats = await ExpectMsgAsync<SubscriptionStats>();
        Assert.Equal((0, 0L), (stats.Subscriptions, stats.MemoryBytes));

        // Paused: nothing is delivered; the resume replays what was missed, with no gap and no duplicate.
        var missed = await WriteAsync(("k2", "y"));
        await client.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        subs.Tell(new OpenSubscription(1, [Utf8("k")], delivered, false, client.Ref), TestActor);
        Assert.Equal(missed, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
        await ExpectMsgAsync(new SubscriptionOpened(1, missed));
    }

    [Fact]
    public async Task Pausing_an_unknown_subscription_should_be_confirmed_all_the_same()
    {
        var subs = StartSubscriptions();

        subs.Tell(new PauseSubscription(9, TestActor), TestActor);

        await ExpectMsgAsync(new SubscriptionPaused(9));
    }

    [Fact]
    public async Task A_terminated_subscriber_should_lose_all_its_subscriptions()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        var other = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, ["a"]);
        await SubscribeAsync(subs, client, 2, ["b"]);
        await SubscribeAsync(subs, other, 1, ["a"]);
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(3, 2, 3 * SubscriptionMemory.Estimate([[0]])));

        Sys.Stop(client.Ref);

        await AwaitAssertAsync(async () =>
        {
            subs.Tell(GetStats.Instance);
            await ExpectMsgAsync(new SubscriptionStats(1, 1, SubscriptionMemory.Estimate([[0]])));
        });
    }

    [Fact]
    public async Task Ten_thousand_subscriptions_should_notify_exactly_the_matching_ones()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        const int count = 10_000;
        for (var i = 0; i < count; i++)
        {
            subs.Tell(new OpenSubscription(i, [Utf8($"p/{i}/")], null, false, client.Ref), TestActor);
        }

        subs.Tell(new OpenSubscription(count, [Utf8("p/")], null, false, client.Ref), TestActor);
        var subscribed = 0;
        await foreach (var reply in ReceiveNAsync(count + 1, Patience))
        {
            Assert.IsType<SubscriptionOpened>(reply);
            subscribed++;
        }

        Assert.Equal(count + 1, subscribed);

        var first = await WriteAsync(("p/17/x", "1"), ("p/4242/y", "2"), ("p/9999/", "3"), ("q/1", "4"), ("p/1", "5"));
        var second = await WriteAsync(("p/5/z", "6"));

        var firstIds = new List<long>();
        var firstByAll = default(SubscribedKeysChanged);
        await foreach (var m in client.ReceiveNAsync(4, Patience))
        {
            var n = Assert.IsType<SubscribedKeysChanged>(m);
            Assert.Equal(first, n.Revision);
            firstIds.Add(n.SubscriptionId);
            if (n.SubscriptionId == count)
            {
                firstByAll = n;
            }
        }

        Assert.Equal([17L, 4242L, 9999L, count], firstIds.Order());
        Assert.NotNull(firstByAll);
        AssertChanges(firstByAll, ("p/17/x", false, null), ("p/4242/y", false, null), ("p/9999/", false, null), ("p/1", false, null));

        // Nothing else came from the first batch: the next two messages are the second batch's.
        var secondIds = new List<long>();
        await foreach (var m in client.ReceiveNAsync(2, Patience))
        {
            var n = Assert.IsType<SubscribedKeysChanged>(m);
            Assert.Equal(second, n.Revision);
            secondIds.Add(n.SubscriptionId);
        }

        Assert.Equal([5L, count], secondIds.Order());
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(3)]
    public async Task Resume_should_deliver_every_later_revision_once_in_order_whileWrites_race(int maxCatchUpBuffer)
    {
        var subs = StartSubscriptions(s => s with { ReplayBatchSize = 64, MaxCatchUpBuffer = maxCatchUpBuffer });
        for (var i = 1; i <= 1000; i++)
        {
            Writer.Tell(Batch(($"k/{i}", $"{i}"), ($"x/{i}", "other")), Writes);
        }

        await foreach (var _ in Writes.ReceiveNAsync(1000, Patience))
        {
        }

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 250, true, client.Ref), TestActor);

        // The first replayed revision is here, so the catch-up is under way: race it with live writes.
        var revisions = new List<long> { (await client.ExpectMsgAsync<SubscribedKeysChanged>(Patience)).Revision };
        for (var i = 1001; i <= 1300; i++)
        {
            Writer.Tell(Batch(($"k/{i}", $"{i}"), ($"x/{i}", "other")), Writes);
        }

        await foreach (var _ in Writes.ReceiveNAsync(300, Patience))
        {
        }

        await foreach (var m in client.ReceiveNAsync(1300 - 251, Patience))
        {
            var n = Assert.IsType<SubscribedKeysChanged>(m);
            AssertChanges(n, ($"k/{n.Revision}", false, $"{n.Revision}"));
            revisions.Add(n.Revision);
        }

        Assert.Equal(Enumerable.Range(251, 1300 - 250).Select(i => (long)i), revisions);
        var subscribed = await ExpectMsgAsync<SubscriptionOpened>(Patience);
        Assert.InRange(subscribed.CurrentRevision, 250, 1300);

        // Live after the seam, and nothing was duplicated before it.
        var next = await WriteAsync(("k/next", "n"));
        Assert.Equal(next, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
    }

    [Fact]
    public async Task A_paced_replay_should_read_the_next_chunk_only_once_the_subscriber_continues()
    {
        var subs = StartSubscriptions(s => s with { ReplayBatchSize = 10 });
        for (var i = 1; i <= 25; i++)
        {
            Writer.Tell(Batch(($"k/{i}", $"{i}")), Writes);
        }

        await foreach (var _ in Writes.ReceiveNAsync(25, Patience))
        {
        }

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 0, false, client.Ref, PacedReplay: true), TestActor);

        var revisions = new List<long>();
        for (var chunk = 0; chunk < 2; chunk++)
        {
            await foreach (var m in client.ReceiveNAsync(10, Patience))
            {
                revisions.Add(Assert.IsType<SubscribedKeysChanged>(m).Revision);
            }

            // The chunk is out: nothing more until the subscriber says it has room.
            var sent = await client.ExpectMsgAsync<ReplayChunkSent>(Patience);
            Assert.Equal(1, sent.SubscriptionId);
            var from = client.LastSender;
            await client.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
            await ExpectNoMsgAsync(TimeSpan.Zero);
            from.Tell(new ContinueReplay(sent.Token), client.Ref);
        }

        await foreach (var m in client.ReceiveNAsync(5, Patience))
        {
            revisions.Add(Assert.IsType<SubscribedKeysChanged>(m).Revision);
        }

        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), revisions);
        await ExpectMsgAsync(new SubscriptionOpened(1, 25), Patience);
    }

    [Fact]
    public async Task A_paced_replay_should_read_chunks_no_larger_than_the_subscriber_asked()
    {
        var subs = StartSubscriptions(s => s with { ReplayBatchSize = 100 });
        for (var i = 1; i <= 12; i++)
        {
            Writer.Tell(Batch(($"k/{i}", $"{i}")), Writes);
        }

        await foreach (var _ in Writes.ReceiveNAsync(12, Patience))
        {
        }

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 0, false, client.Ref, PacedReplay: true, MaxReplayChunk: 5), TestActor);
        var revisions = new List<long>();
        for (var chunk = 0; chunk < 2; chunk++)
        {
            await foreach (var m in client.ReceiveNAsync(5, Patience))
            {
                revisions.Add(Assert.IsType<SubscribedKeysChanged>(m).Revision);
            }

            var sent = await client.ExpectMsgAsync<ReplayChunkSent>(Patience);
            client.LastSender.Tell(new ContinueReplay(sent.Token), client.Ref);
        }

        await foreach (var m in client.ReceiveNAsync(2, Patience))
        {
            revisions.Add(Assert.IsType<SubscribedKeysChanged>(m).Revision);
        }

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), revisions);
        await ExpectMsgAsync(new SubscriptionOpened(1, 12), Patience);
    }

    [Fact]
    public async Task Resume_from_a_deleted_revision_should_push_too_old_then_go_live()
    {
        var subs = StartSubscriptions();
        for (var i = 1; i <= 10; i++)
        {
            await WriteAsync(($"k/{i}", "v"));
        }

        Writer.Tell(new TestStorageWriter.DeleteTo(5), TestActor);
        await ExpectMsgAsync<DeleteMessagesSuccess>();

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 2, false, client.Ref), TestActor);
        await client.ExpectMsgAsync(new ResumeTooOld(1, 10));
        await ExpectMsgAsync(new SubscriptionOpened(1, 10));

        var next = await WriteAsync(("k/11", "v"));
        Assert.Equal(next, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
    }

    [Fact]
    public async Task Resume_from_the_first_retained_revision_should_replay_without_too_old()
    {
        var subs = StartSubscriptions();
        for (var i = 1; i <= 10; i++)
        {
            await WriteAsync(($"k/{i}", "v"));
        }

        Writer.Tell(new TestStorageWriter.DeleteTo(5), TestActor);
        await ExpectMsgAsync<DeleteMessagesSuccess>();

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 5, false, client.Ref), TestActor);
        var revisions = new List<long>();
        await foreach (var m in client.ReceiveNAsync(5))
        {
            revisions.Add(Assert.IsType<SubscribedKeysChanged>(m).Revision);
        }

        Assert.Equal([6L, 7L, 8L, 9L, 10L], revisions);
        await ExpectMsgAsync(new SubscriptionOpened(1, 10));
    }

    [Fact]
    public async Task Resume_from_a_revision_the_log_never_reached_should_push_too_old()
    {
        var subs = StartSubscriptions();
        await WriteAsync(("k/1", "v"));

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(1, [Utf8("k/")], 50, false, client.Ref), TestActor);

        await client.ExpectMsgAsync(new ResumeTooOld(1, 1));
        await ExpectMsgAsync(new SubscriptionOpened(1, 1));
    }

    [Fact]
    public async Task Subscribe_without_resume_should_reply_the_current_revision_and_then_the_next_change()
    {
        var subs = StartSubscriptions();
        for (var i = 1; i <= 5; i++)
        {
            await WriteAsync(("k", $"{i}"));
        }

        var client = CreateTestProbe();
        subs.Tell(new OpenSubscription(3, [Utf8("k")], null, true, client.Ref), TestActor);
        await ExpectMsgAsync(new SubscriptionOpened(3, 5));

        await WriteAsync(("k", "6"));
        var n = await client.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(6, n.Revision);
        AssertChanges(n, ("k", false, "6"));
    }

    [Fact]
    public async Task Force_reload_should_reach_exactly_the_overlapping_subscriptions_with_their_items()
    {
        var subs = StartSubscriptions();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        var c = CreateTestProbe();
        var d = CreateTestProbe();
        await SubscribeAsync(subs, a, 1, ["users/"]);
        await SubscribeAsync(subs, b, 2, ["users/1/"]);
        await SubscribeAsync(subs, c, 3, ["orders/"]);
        await SubscribeAsync(subs, d, 4, ["users/1/name", "users/2/"]);

        subs.Tell(new ForceReload([Utf8("users/1/"), Utf8("zzz")]), TestActor);
        await ExpectMsgAsync(new ReloadPushed(3));
        AssertReload(await a.ExpectMsgAsync<ReloadRequired>(), 1, "users/1/");
        AssertReload(await b.ExpectMsgAsync<ReloadRequired>(), 2, "users/1/");
        AssertReload(await d.ExpectMsgAsync<ReloadRequired>(), 4, "users/1/");

        subs.Tell(new ForceReload([Utf8("users/2/a"), Utf8("orders/9"), Utf8("users/1/")]), TestActor);
        await ExpectMsgAsync(new ReloadPushed(4));
        AssertReload(await a.ExpectMsgAsync<ReloadRequired>(), 1, "users/2/a", "users/1/");
        AssertReload(await b.ExpectMsgAsync<ReloadRequired>(), 2, "users/1/");
        // c's first message: the first reload did not reach it.
        AssertReload(await c.ExpectMsgAsync<ReloadRequired>(), 3, "orders/9");
        AssertReload(await d.ExpectMsgAsync<ReloadRequired>(), 4, "users/2/a", "users/1/");
    }

    [Fact]
    public async Task Subscribing_again_with_the_same_id_should_replace_the_subscription()
    {
        var subs = StartSubscriptions();
        var client = CreateTestProbe();
        await SubscribeAsync(subs, client, 1, ["a"]);
        await SubscribeAsync(subs, client, 1, ["b"]);

        await WriteAsync(("a1", "x"));
        var second = await WriteAsync(("b1", "y"));

        Assert.Equal(second, (await client.ExpectMsgAsync<SubscribedKeysChanged>()).Revision);
        subs.Tell(GetStats.Instance);
        await ExpectMsgAsync(new SubscriptionStats(1, 1, SubscriptionMemory.Estimate([[0]])));
    }

    [Fact]
    public async Task Subscribers_matching_the_whole_batch_should_share_one_list_per_include_values_flag()
    {
        var subs = StartSubscriptions();
        var (a, b, c, d) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        await SubscribeAsync(subs, a, 1, ["k/"], includeValues: true);
        await SubscribeAsync(subs, b, 2, ["k/1", "k/2"], includeValues: true);
        await SubscribeAsync(subs, c, 3, [""], includeValues: false);
        await SubscribeAsync(subs, d, 4, ["k/"], includeValues: false);

        await WriteAsync(("k/1", "x"), ("k/2", null));

        var (na, nb, nc, nd) = (
            await a.ExpectMsgAsync<SubscribedKeysChanged>(),
            await b.ExpectMsgAsync<SubscribedKeysChanged>(),
            await c.ExpectMsgAsync<SubscribedKeysChanged>(),
            await d.ExpectMsgAsync<SubscribedKeysChanged>());
        AssertChanges(na, ("k/1", false, "x"), ("k/2", true, null));
        AssertChanges(nc, ("k/1", false, null), ("k/2", true, null));
        // Built once per flag, whatever prefixes matched it: the subscribers hold the same instance.
        Assert.Same(na.Changes, nb.Changes);
        Assert.Same(nc.Changes, nd.Changes);
        Assert.NotSame(na.Changes, nc.Changes);
    }

    [Fact]
    public async Task A_subscriber_matching_part_of_a_batch_should_get_only_its_keys_in_batch_order()
    {
        var subs = StartSubscriptions();
        var (leading, gapped, all) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        await SubscribeAsync(subs, leading, 1, ["a/"], includeValues: true);
        await SubscribeAsync(subs, gapped, 2, ["b/"], includeValues: true);
        await SubscribeAsync(subs, all, 3, [""], includeValues: true);

        await WriteAsync(("a/1", "1"), ("b/1", "2"), ("a/2", "3"), ("b/2", null), ("b/3", "4"));

        AssertChanges(await leading.ExpectMsgAsync<SubscribedKeysChanged>(), ("a/1", false, "1"), ("a/2", false, "3"));
        var own = await gapped.ExpectMsgAsync<SubscribedKeysChanged>();
        AssertChanges(own, ("b/1", false, "2"), ("b/2", true, null), ("b/3", false, "4"));
        var whole = await all.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(5, whole.Changes.Count);
        // Its own list still refers to the batch's arrays: no key or value is copied per subscriber.
        Assert.Same(whole.Changes[1].Key, own.Changes[0].Key);
        Assert.Same(whole.Changes[4].Value, own.Changes[2].Value);

        await WriteAsync(("a/3", "5"), ("a/4", "6"), ("z", "7"));
        // A leading run of the batch: its own list, not the shared one of the whole batch.
        var run = await leading.ExpectMsgAsync<SubscribedKeysChanged>();
        AssertChanges(run, ("a/3", false, "5"), ("a/4", false, "6"));
        Assert.NotSame((await all.ExpectMsgAsync<SubscribedKeysChanged>()).Changes, run.Changes);
    }
}
