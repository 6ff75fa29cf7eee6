using System.Diagnostics;
using CsCheck;
using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The per-connection request rate: a burst up to the capacity, then tokens at the rate.</summary>
public sealed class TokenBucketTests
{
    private long _now;

    [Fact]
    public void Full_bucket_should_give_its_capacity_at_once_then_refuse()
    {
        var bucket = new TokenBucket(10, 3, () => _now);

        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => bucket.TryTake()));
        Assert.Equal(TimeSpan.FromSeconds(0.1), bucket.UntilNextToken());
    }

    [Fact]
    public void Empty_bucket_should_refill_at_the_rate_and_never_above_capacity()
    {
        var bucket = new TokenBucket(10, 2, () => _now);
        bucket.TryTake();
        bucket.TryTake();

        Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        Advance(TimeSpan.FromHours(1));
        Assert.Equal([true, true, false], Enumerable.Range(0, 3).Select(_ => bucket.TryTake()));
    }

    [Fact]
    public void Tokens_taken_over_any_schedule_should_not_exceed_capacity_plus_rate_times_time()
    {
        Gen.Int[1, 50].Select(Gen.Int[1, 20], Gen.Int[0, 200].Array[1, 100]).Sample((rate, capacity, stepsMs) =>
        {
            long now = 0;
            var bucket = new TokenBucket(rate, capacity, () => now);
            var taken = 0;
            foreach (var step in stepsMs)
            {
                now += step * Stopwatch.Frequency / 1000;
                taken += bucket.TryTake() ? 1 : 0;
                taken += bucket.TryTake() ? 1 : 0;
            }

            var seconds = (double)now / Stopwatch.Frequency;
            return taken <= capacity + (rate * seconds) + 1e-6;
        });
    }

    private void Advance(TimeSpan by) => _now += (long)(by.TotalSeconds * Stopwatch.Frequency);
}
