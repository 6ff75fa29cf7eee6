using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>Lock replies matched in order until LockProtocol carries correlation ids.</summary>
public sealed class LockReplyOrderTests
{
    [Fact]
    public void Replies_should_answer_requests_in_the_order_they_were_sent()
    {
        var order = new LockReplyOrder();
        order.Sent(4);
        order.Sent(9);

        Assert.True(order.TryNext(out var first));
        Assert.True(order.TryNext(out var second));
        Assert.Equal((4L, 9L), (first, second));
        Assert.False(order.TryNext(out _));
    }

    [Fact]
    public void Giving_up_should_fail_every_awaited_request_so_later_replies_do_not_shift_onto_new_ones()
    {
        var order = new LockReplyOrder();
        order.Sent(1);
        order.Sent(2);

        Assert.Equal([1L, 2L], order.GiveUp());
        order.Sent(3);
        Assert.True(order.TryNext(out var next));
        Assert.Equal(3, next);
    }
}
