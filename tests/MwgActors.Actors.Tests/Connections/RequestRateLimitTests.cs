using System.Diagnostics;
using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The rate limit, and the G1 frames that wait for their token in order.</summary>
public sealed class RequestRateLimitTests
{
    private long _now;

    [Fact]
    public void G1_frames_over_the_rate_should_wait_in_order_and_none_overtake_a_waiting_one()
    {
        var limit = new RequestRateLimit(new TokenBucket(10, 1, () => _now));
        byte[] first = [1], second = [2], third = [3];

        Assert.False(limit.Delay(first)); // runs now
        Assert.True(limit.Delay(second));
        Assert.Equal(TimeSpan.FromSeconds(0.1), limit.UntilNextToken());
        Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(limit.Delay(third)); // a token is there, but the second waits first
        Assert.True(limit.AnyDelayed);

        Assert.True(limit.TryRelease(out var released));
        Assert.Same(second, released);
        Assert.False(limit.TryRelease(out _));

        Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(limit.TryRelease(out released));
        Assert.Same(third, released);
        Assert.False(limit.AnyDelayed);
    }

    [Fact]
    public void A_request_over_the_rate_should_not_take_a_token()
    {
        var limit = new RequestRateLimit(new TokenBucket(1, 2, () => _now));

        Assert.Equal([true, true, false, false], Enumerable.Range(0, 4).Select(_ => limit.TryTake()));
        Advance(TimeSpan.FromSeconds(1));
        Assert.True(limit.TryTake());
    }

    private void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * Stopwatch.Frequency);
}
