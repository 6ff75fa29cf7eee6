using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Connections;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>The idle timeout: no frame for longer than it, and never where it does not apply.</summary>
public sealed class IdleTimeoutTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void A_connection_should_be_idle_only_after_the_timeout_without_a_frame()
    {
        var idle = new IdleTimeout(TimeSpan.FromSeconds(30), applies: true, _clock);

        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(idle.IsIdle);
        idle.FrameArrived();
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(idle.IsIdle);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(idle.IsIdle);
    }

    [Theory]
    [InlineData(0, true)] // off
    [InlineData(30, false)] // G1: no heartbeats, never idle
    public void A_connection_should_never_be_idle_where_the_timeout_does_not_apply(int seconds, bool applies)
    {
        var idle = new IdleTimeout(TimeSpan.FromSeconds(seconds), applies, _clock);

        _clock.Advance(TimeSpan.FromDays(1));

        Assert.False(idle.IsIdle);
    }
}
