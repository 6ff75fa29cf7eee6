using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The type 5 push of committed changes to an original client: readable puts only.</summary>
public sealed class G1PushesTests
{
    [Fact]
    public void A_push_should_carry_the_readable_puts_in_order_and_leave_out_removals_and_other_keys()
    {
        Change[] changes =
        [
            new([1], Removed: false, Value: [10]),
            new([2], Removed: true, Value: null),
            new([9], Removed: false, Value: [90]), // not readable
            new([3], Removed: false, Value: [30]),
        ];

        var push = G1Pushes.Of(changes, key => key[0] != 9);

        Assert.NotNull(push);
        Assert.Equal([1, 3], push.Pairs.Select(p => p.Key[0]));
        Assert.Equal([10, 30], push.Pairs.Select(p => p.Value[0]));
    }

    [Fact]
    public void No_push_should_be_built_when_no_readable_put_is_left()
    {
        Change[] changes = [new([1], Removed: true, Value: null), new([2], Removed: false, Value: [20])];

        Assert.Null(G1Pushes.Of(changes, key => key[0] != 2));
        Assert.Null(G1Pushes.Of([], _ => true));
    }
}
