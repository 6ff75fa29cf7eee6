using System.Collections.Concurrent;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Server;

/// <summary>The open websocket connections, for graceful shutdown and counts.</summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<WebSocketConnection, Dialect> _open = new();

    public int Count => _open.Count;

    public void Add(WebSocketConnection connection, Dialect dialect) => _open[connection] = dialect;

    public void Remove(WebSocketConnection connection) => _open.TryRemove(connection, out _);

    public int CountOf(Dialect dialect) => _open.Values.Count(d => d == dialect);

    /// <summary>A snapshot of the open connections (tests look at their request slots).</summary>
    public IReadOnlyList<WebSocketConnection> Open => [.. _open.Keys];

    /// <summary>Lets requests in flight finish (up to <paramref name="timeout"/>), then closes every socket with 1001.</summary>
    public Task CloseAllAsync(TimeSpan timeout) =>
        Task.WhenAll(_open.Keys.Select(c => c.DrainAndCloseAsync((int)System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout)));
}
