using Akka.Actor;

namespace MwgActors.Gateway.Hosting;

/// <summary>
/// Starts MwgActors with the host and stops it with the host: on start, waits until the storage actor has
/// recovered, then opens the websocket endpoint; on stopping (before any hosted service stops, Kestrel included),
/// refuses new websockets and closes the open ones with 1001 after their requests in flight
/// (mwg.server.shutdown-timeout); on stop, runs the coordinated shutdown of an actor system it created.
/// </summary>
internal sealed class MwgActorsHostedService : IHostedLifecycleService
{
    /// <summary>How long a long journal may take to recover before the host's start fails (as for mwg serve).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(5);

    private readonly MwgActorsRuntime _runtime;

    public MwgActorsHostedService(MwgActorsRuntime runtime) => _runtime = runtime;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _runtime.Extension.WaitUntilReadyAsync(ReadyTimeout, cancellationToken);
        _runtime.MarkReady();
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => _runtime.CloseGatewayAsync();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_runtime.OwnsSystem)
        {
            await CoordinatedShutdown.Get(_runtime.System).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
