namespace MwgActors.Client;

/// <summary>Where a <see cref="MwgClient"/>'s connection stands.</summary>
public enum ConnectionState
{
    /// <summary>The first connection is being opened.</summary>
    Connecting,

    /// <summary>Connected: the lease is reclaimed, every subscription resumed and the offline queue drained.</summary>
    Connected,

    /// <summary>The connection was lost; the client is waiting out its backoff or opening a new one.</summary>
    Reconnecting,

    /// <summary>Disposed, or the server refused the client for good (policy or protocol close). Final.</summary>
    Closed,
}

/// <summary>A change of <see cref="MwgClient.State"/>.</summary>
public sealed class ConnectionStateChangedEventArgs(ConnectionState previous, ConnectionState current) : EventArgs
{
    public ConnectionState Previous { get; } = previous;

    public ConnectionState Current { get; } = current;
}
