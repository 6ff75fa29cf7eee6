using MwgActors.Actors.Connections;
using static MwgActors.Actors.Connections.SubscriptionState;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The subscription state machine: every transition of the diagram, and none other.</summary>
public sealed class ConnectionSubscriptionTests
{
    public static readonly TheoryData<string, string> Allowed = new()
    {
        { nameof(Requested), nameof(Live) },
        { nameof(Requested), nameof(Closed) },
        { nameof(Live), nameof(Unsubscribing) },
        { nameof(Live), nameof(Pausing) },
        { nameof(Live), nameof(Closed) },
        { nameof(Unsubscribing), nameof(Closed) },
        { nameof(Pausing), nameof(Paused) },
        { nameof(Pausing), nameof(Unsubscribing) },
        { nameof(Pausing), nameof(Closed) },
        { nameof(Paused), nameof(Resuming) },
        { nameof(Paused), nameof(Unsubscribing) },
        { nameof(Paused), nameof(Closed) },
        { nameof(Resuming), nameof(Live) },
        { nameof(Resuming), nameof(Paused) },
        { nameof(Resuming), nameof(Pausing) },
        { nameof(Resuming), nameof(Unsubscribing) },
        { nameof(Resuming), nameof(Closed) },
    };

    // The states travel as names: the test methods are public, the state machine internal.
    public static TheoryData<string, string> Forbidden()
    {
        var allowed = AllowedPairs().ToHashSet();
        var data = new TheoryData<string, string>();
        foreach (var from in Enum.GetValues<SubscriptionState>())
        {
            foreach (var to in Enum.GetValues<SubscriptionState>())
            {
                if (!allowed.Contains((from, to)))
                {
                    data.Add(from.ToString(), to.ToString());
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Allowed))]
    public void A_transition_of_the_diagram_should_be_made(string fromState, string toState)
    {
        var (from, to) = (Parse(fromState), Parse(toState));
        var subscription = In(from);

        subscription.Transition(to);

        Assert.Equal(to, subscription.State);
    }

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void A_transition_not_in_the_diagram_should_throw_and_leave_the_state(string fromState, string toState)
    {
        var (from, to) = (Parse(fromState), Parse(toState));
        var subscription = In(from);

        var thrown = Assert.Throws<InvalidOperationException>(() => subscription.Transition(to));

        Assert.Contains($"from {from} to {to}", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(from, subscription.State);
    }

    [Fact]
    public void Closed_should_be_final_and_every_state_should_be_reachable_from_Requested()
    {
        Assert.DoesNotContain(AllowedPairs(), pair => pair.From == Closed);
        var reached = new HashSet<SubscriptionState> { Requested };
        var frontier = new Queue<SubscriptionState>(reached);
        while (frontier.TryDequeue(out var from))
        {
            foreach (var to in Enum.GetValues<SubscriptionState>().Where(to => ConnectionSubscription.IsAllowed(from, to) && reached.Add(to)))
            {
                frontier.Enqueue(to);
            }
        }

        Assert.Equal(Enum.GetValues<SubscriptionState>().ToHashSet(), reached);
    }

    [Theory]
    [InlineData(nameof(Requested), true)]
    [InlineData(nameof(Live), true)]
    [InlineData(nameof(Unsubscribing), true)]
    [InlineData(nameof(Resuming), true)]
    [InlineData(nameof(Pausing), false)]
    [InlineData(nameof(Paused), false)]
    public void Notifications_should_be_delivered_only_where_the_subscription_actor_sends_them_for_the_client(string state, bool delivers)
    {
        Assert.Equal(delivers, In(Parse(state)).Delivers);
    }

    [Fact]
    public void Delivered_should_keep_the_highest_revision()
    {
        var subscription = new ConnectionSubscription(1, [[1, 2], [3]], includeValues: true);
        Assert.Null(subscription.LastRevision);
        Assert.Equal(3, subscription.PrefixBytes);

        subscription.Delivered(7);
        subscription.Delivered(5);

        Assert.Equal(7, subscription.LastRevision);
    }

    internal static SubscriptionState Parse(string state) => Enum.Parse<SubscriptionState>(state);

    private static IEnumerable<(SubscriptionState From, SubscriptionState To)> AllowedPairs() =>
        Allowed.Select(row => (Parse((string)row[0]), Parse((string)row[1])));

    /// <summary>A subscription brought to <paramref name="state"/> along the diagram.</summary>
    internal static ConnectionSubscription In(SubscriptionState state)
    {
        var subscription = new ConnectionSubscription(1, [[1]], includeValues: false);
        SubscriptionState[] path = state switch
        {
            Requested => [],
            Live => [Live],
            Unsubscribing => [Live, Unsubscribing],
            Pausing => [Live, Pausing],
            Paused => [Live, Pausing, Paused],
            Resuming => [Live, Pausing, Paused, Resuming],
            _ => [Closed],
        };
        foreach (var next in path)
        {
            subscription.Transition(next);
        }

        return subscription;
    }
}
