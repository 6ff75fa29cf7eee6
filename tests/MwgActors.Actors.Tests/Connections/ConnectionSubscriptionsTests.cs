using MwgActors.Actors.Connections;
using MwgActors.Protocol;
using static MwgActors.Actors.Connections.SubscriptionState;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The events a connection's subscriptions see, and what each tells the actor to do.</summary>
public sealed class ConnectionSubscriptionsTests
{
    private readonly ConnectionSubscriptions _subscriptions = new();

    [Fact]
    public void A_confirmed_subscribe_should_go_live_and_be_answered()
    {
        var requested = Requested(correlation: 5);

        Assert.Same(requested, _subscriptions.Confirmed(requested.Id, 9));
        Assert.Equal((Live, 9L), (requested.State, requested.LastRevision));
        Assert.Null(_subscriptions.Confirmed(requested.Id, 10)); // a duplicate confirmation changes nothing
    }

    [Fact]
    public void A_subscribe_should_be_refused_past_the_subscription_count_of_the_connection()
    {
        var limits = new ProtocolLimits(MaxSubscriptionsPerConnection: 2);
        _subscriptions.Add([[1]], false);
        Assert.Null(_subscriptions.RefusalOf([[2]], limits));

        _subscriptions.Add([[2]], false);
        Assert.Equal(
            new SubscribeRefusal(ErrorCode.TooManySubscriptions, "too many subscriptions on this connection", "mwg.protocol.max-subscriptions-per-connection"),
            _subscriptions.RefusalOf([[3]], limits));
    }

    [Fact]
    public void A_subscribe_should_be_refused_past_the_prefixes_of_one_subscription()
    {
        var limits = new ProtocolLimits(MaxPrefixesPerSubscription: 2);
        Assert.Null(_subscriptions.RefusalOf([[1], [2]], limits));
        Assert.Equal(
            new SubscribeRefusal(ErrorCode.TooManyPrefixes, "too many prefixes in one subscription", "mwg.protocol.max-prefixes-per-subscription"),
            _subscriptions.RefusalOf([[1], [2], [3]], limits));
    }

    [Fact]
    public void A_subscribe_should_be_refused_past_the_prefix_bytes_the_connection_holds_in_all()
    {
        var limits = new ProtocolLimits(MaxPrefixBytesPerConnection: 5);
        var first = _subscriptions.Add([[1, 2, 3]], false);
        Assert.Null(_subscriptions.RefusalOf([[4, 5]], limits)); // exactly the limit
        Assert.Equal(
            new SubscribeRefusal(ErrorCode.TooManyPrefixes, "too many prefix bytes on this connection", "mwg.protocol.max-prefix-bytes-per-connection"),
            _subscriptions.RefusalOf([[4, 5, 6]], limits));

        _subscriptions.NotTaken(first.Id, out _); // its bytes are given back
        Assert.Null(_subscriptions.RefusalOf([[4, 5, 6]], limits));
    }

    [Fact]
    public void Ids_should_be_new_for_every_subscription_and_prefix_bytes_counted_until_it_ends()
    {
        var first = _subscriptions.Add([[1, 2, 3]], false);
        var second = _subscriptions.Add([[4]], false);
        Assert.Equal((1L, 2L, 4L), (first.Id, second.Id, _subscriptions.PrefixBytes));

        Assert.Equal(NotTakenOutcome.AnswerClient, _subscriptions.NotTaken(first.Id, out _));
        Assert.Equal((1, 1L, Closed), (_subscriptions.Count, _subscriptions.PrefixBytes, first.State));
        Assert.Equal(3, _subscriptions.Add([[5]], false).Id);
    }

    [Fact]
    public void A_subscribe_not_taken_should_be_answered_a_resume_not_taken_retried_and_others_ignored()
    {
        var requested = Requested();
        var resuming = InState(Resuming);
        var unsubscribing = InState(Unsubscribing);

        Assert.Equal(NotTakenOutcome.AnswerClient, _subscriptions.NotTaken(requested.Id, out var answered));
        Assert.Same(requested, answered);
        Assert.Equal(NotTakenOutcome.RetryResume, _subscriptions.NotTaken(resuming.Id, out _));
        Assert.Equal(Paused, resuming.State);
        Assert.Equal(NotTakenOutcome.Ignored, _subscriptions.NotTaken(unsubscribing.Id, out _));
        Assert.Equal(NotTakenOutcome.Unknown, _subscriptions.NotTaken(0, out _)); // the G1 push subscription
    }

    [Fact]
    public void A_timed_out_subscribe_should_be_dropped_so_a_late_confirmation_is_ignored()
    {
        var requested = Requested(correlation: 42);

        Assert.Equal(requested.Id, _subscriptions.RequestTimedOut(42));

        Assert.Equal(Closed, requested.State);
        Assert.Null(_subscriptions.Confirmed(requested.Id, 3));
        Assert.Equal(0, _subscriptions.Count);
    }

    [Fact]
    public void A_timed_out_unsubscribe_should_drop_the_subscription_so_it_no_longer_counts_nor_delivers()
    {
        var live = InState(Live);
        ConnectionSubscriptions.Unsubscribing(live, 77);
        var other = InState(Live);

        Assert.Null(_subscriptions.RequestTimedOut(76)); // no subscription waits on it
        Assert.Equal(live.Id, _subscriptions.RequestTimedOut(77));

        Assert.Equal((Closed, 1), (live.State, _subscriptions.Count));
        Assert.Null(_subscriptions.Unsubscribed(live.Id)); // the late confirmation finds nothing
        Assert.False(_subscriptions.TryStartUnsubscribe(live.Id, out _));
        Assert.Equal(Live, other.State);
    }

    [Fact]
    public void An_unsubscribe_should_be_answered_when_confirmed_and_only_once()
    {
        var live = InState(Live);
        Assert.False(_subscriptions.TryStartUnsubscribe(Requested().Id, out _)); // the client does not know its id yet
        Assert.True(_subscriptions.TryStartUnsubscribe(live.Id, out _));

        ConnectionSubscriptions.Unsubscribing(live, 77);
        Assert.False(_subscriptions.TryStartUnsubscribe(live.Id, out _));
        Assert.True(live.Delivers); // notifications go on until the subscription actor confirms

        var ended = _subscriptions.Unsubscribed(live.Id);
        Assert.Equal((77L, Closed), (ended!.Correlation, ended.State));
        Assert.Null(_subscriptions.Unsubscribed(live.Id));
        Assert.False(_subscriptions.TryGet(live.Id, out _));
    }

    [Fact]
    public void A_pause_should_drop_notifications_until_confirmed_and_a_resume_wait_for_the_confirmation()
    {
        var live = InState(Live);
        live.Delivered(6);

        Assert.True(ConnectionSubscriptions.Pause(live));
        Assert.False(ConnectionSubscriptions.Pause(live)); // asked once
        Assert.False(live.Delivers);
        Assert.False(ConnectionSubscriptions.Resume(live)); // the pause is still on its way

        Assert.Null(_subscriptions.Confirmed(live.Id, 9)); // a confirmation that crossed the pause moves nothing
        Assert.Equal(6, live.LastRevision);
        Assert.Same(live, _subscriptions.PauseConfirmed(live.Id));
        Assert.True(ConnectionSubscriptions.Resume(live));
        Assert.Equal(Resuming, live.State);

        Assert.Null(_subscriptions.Confirmed(live.Id, 8)); // a resume is not answered
        Assert.Equal((Live, 8L), (live.State, live.LastRevision));
    }

    [Theory]
    [InlineData(nameof(SubscriptionState.Live), true)]
    [InlineData(nameof(SubscriptionState.Resuming), true)]
    [InlineData(nameof(SubscriptionState.Requested), false)]
    [InlineData(nameof(SubscriptionState.Unsubscribing), false)]
    [InlineData(nameof(SubscriptionState.Pausing), false)]
    [InlineData(nameof(SubscriptionState.Paused), false)]
    public void Only_a_subscription_that_delivers_for_a_live_token_should_be_paused(string state, bool paused)
    {
        Assert.Equal(paused, ConnectionSubscriptions.Pause(InState(ConnectionSubscriptionTests.Parse(state))));
    }

    [Theory]
    [InlineData(nameof(SubscriptionState.Live), true)]
    [InlineData(nameof(SubscriptionState.Resuming), true)]
    [InlineData(nameof(SubscriptionState.Pausing), false)]
    [InlineData(nameof(SubscriptionState.Paused), false)]
    public void A_revoked_subscription_should_end_and_the_subscription_actor_be_told_only_where_it_still_holds_it(string state, bool held)
    {
        var subscription = InState(ConnectionSubscriptionTests.Parse(state));
        Assert.True(ConnectionSubscriptions.IsRevocable(subscription));

        Assert.Equal(held, _subscriptions.Revoke(subscription));
        Assert.Equal(Closed, subscription.State);
        Assert.Null(_subscriptions.Unsubscribed(subscription.Id)); // its late confirmation is ignored
    }

    [Fact]
    public void An_overflow_should_reload_every_subscription_the_client_knows_and_the_requested_ones_once_confirmed()
    {
        var requested = Requested();
        var live = InState(Live);
        var paused = InState(Paused);
        var reload = new List<long>();

        _subscriptions.Overflowed(reload);

        Assert.Equal([live.Id, paused.Id], reload.Order());
        Assert.True(requested.ReloadWhenConfirmed);
        Assert.False(live.ReloadWhenConfirmed);
    }

    private ConnectionSubscription Requested(long correlation = 1)
    {
        return _subscriptions.Add([[1]], includeValues: true, correlation);
    }

    private ConnectionSubscription InState(SubscriptionState state)
    {
        var subscription = Requested();
        if (state == SubscriptionState.Requested)
        {
            return subscription;
        }

        _subscriptions.Confirmed(subscription.Id, 1);
        switch (state)
        {
            case Unsubscribing:
                ConnectionSubscriptions.Unsubscribing(subscription, 2);
                break;
            case Pausing or Paused or Resuming:
                ConnectionSubscriptions.Pause(subscription);
                if (state != Pausing)
                {
                    _subscriptions.PauseConfirmed(subscription.Id);
                }

                if (state == Resuming)
                {
                    ConnectionSubscriptions.Resume(subscription);
                }

                break;
        }

        Assert.Equal(state, subscription.State);
        return subscription;
    }
}
