using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Server;

namespace MwgActors.TestSupport;

/// <summary>
/// A real server in this process, on 127.0.0.1 port 0 over a temporary RocksDB folder that is removed on dispose.
/// <see cref="RestartAsync"/> stops it and starts a new one on the same folder (on a new port);
/// <see cref="StopKeepingDataAsync"/> hands the folder to a server started on it next.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly string? _hocon;
    private readonly TempFolder? _folder;
    private MwgServer? _server;

    private TestServer(string? hocon, string dataPath, TempFolder? folder)
    {
        _hocon = hocon;
        DataPath = dataPath;
        _folder = folder;
    }

    public string DataPath { get; }

    public MwgServer Server => _server ?? throw new InvalidOperationException("stopped");

    public Uri Uri => Server.WebSocketUri;

    public int Port => Uri.Port;

    /// <summary>Starts a server; <paramref name="dataPath"/> reuses a folder (a restart, which its owner removes), else a new one is made.</summary>
    /// <param name="hocon">HOCON laid over the test defaults (port 0, the folder, WARNING logs).</param>
    public static async Task<TestServer> StartAsync(string? hocon = null, string? dataPath = null)
    {
        var folder = dataPath is null ? new TempFolder("mwg-e2e-") : null;
        var server = new TestServer(hocon, dataPath ?? folder!.Path, folder);
        try
        {
            await server.StartServerAsync();
        }
        catch
        {
            folder?.Dispose();
            throw;
        }

        return server;
    }

    public async Task StopAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }

    /// <summary>Stops the server but keeps its folder, for a restart on the same data.</summary>
    public async Task<string> StopKeepingDataAsync()
    {
        await StopAsync();
        return DataPath;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartServerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _folder?.Dispose();
    }

    private async Task StartServerAsync()
    {
        var config = ConfigurationFactory.ParseString($"""
            mwg.server.port = 0
            mwg.storage.path = {MwgConfig.Quote(DataPath)}
            akka.loglevel = WARNING
            {_hocon ?? string.Empty}
            """);
        _server = await MwgServer.StartAsync(config);
    }
}
