namespace MwgActors.Actors.Connections;

/// <summary>
/// Closes an extended-dialect connection that sent no frame (requests, pings, heartbeats) for
/// <c>mwg.connection.idle-timeout</c>; zero turns it off, and G1 clients, who send no heartbeats, are never idle.
/// </summary>
/// <remarks>Plain state, used by the connection actor only. Times are <see cref="TimeProvider"/> timestamps.</remarks>
internal sealed class IdleTimeout
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;
    private long _lastFrame;

    public IdleTimeout(TimeSpan timeout, bool applies, TimeProvider? clock = null)
    {
        _clock = clock ?? TimeProvider.System;
        _timeout = applies ? timeout : TimeSpan.Zero;
        _lastFrame = _clock.GetTimestamp();
    }

    public void FrameArrived() => _lastFrame = _clock.GetTimestamp();

    /// <summary>No frame for longer than the timeout.</summary>
    public bool IsIdle => _timeout > TimeSpan.Zero && _clock.GetElapsedTime(_lastFrame) > _timeout;
}
