using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The outbound queue's low-water mark: a quarter of both bounds, shared by replay pacing and the drain signal.</summary>
public sealed class OutboundLowWaterTests
{
    [Theory]
    [InlineData(2, 0, true)]
    [InlineData(3, 0, false)]
    [InlineData(0, 256, true)]
    [InlineData(0, 257, false)]
    public void The_low_water_mark_should_be_a_quarter_of_both_bounds(int frames, long bytes, bool reached)
    {
        Assert.Equal(reached, OutboundLowWater.IsReached(frames, bytes, maxFrames: 8, maxBytes: 1024));
    }

    [Theory]
    [InlineData(2, 256, true)]
    [InlineData(2, 257, false)] // frames low, bytes not: not reached
    [InlineData(3, 256, false)] // bytes low, frames not: not reached
    public void The_low_water_mark_should_need_both_bounds_at_once(int frames, long bytes, bool reached)
    {
        Assert.Equal(reached, OutboundLowWater.IsReached(frames, bytes, maxFrames: 8, maxBytes: 1024));
    }

    [Theory]
    [InlineData(10, 2, true)] // a quarter of 10 frames rounds down to 2
    [InlineData(10, 3, false)]
    [InlineData(3, 0, true)] // a queue of fewer than 4 frames is low only when empty
    [InlineData(3, 1, false)]
    public void The_quarter_should_round_down(int maxFrames, int frames, bool reached)
    {
        Assert.Equal(reached, OutboundLowWater.IsReached(frames, 0, maxFrames, maxBytes: 1024));
    }
}
