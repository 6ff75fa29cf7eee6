namespace MwgActors.LoadGen;

/// <summary>Opens and closes a scenario's connections together.</summary>
internal static class Connections
{
    public static async Task<IReadOnlyList<LoadConnection>> OpenAsync(LoadGenOptions options, int count, CancellationToken cancellation) =>
        await Task.WhenAll(Enumerable.Range(0, count).Select(_ => LoadConnection.ConnectAsync(options.Url, options.Dialect, cancellation)));

    public static async Task CloseAsync(IEnumerable<LoadConnection> connections) =>
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
}
