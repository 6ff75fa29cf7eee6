using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Server;

namespace MwgActors.Client.Tests;

/// <summary>A real server on 127.0.0.1 port 0 over a temporary RocksDB folder, removed on dispose.
/// <see cref="RestartAsync"/> stops it and starts a new one on the same folder (on a new port).</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly string? _hocon;
    private MwgServer? _server;

    private TestServer(string? hocon, string dataPath)
    {
        _hocon = hocon;
        DataPath = dataPath;
    }

    public string DataPath { get; }

    public Uri Uri => (_server ?? throw new InvalidOperationException("stopped")).WebSocketUri;

    public int Port => Uri.Port;

    public MwgServer Server => _server ?? throw new InvalidOperationException("stopped");

    public static async Task<TestServer> StartAsync(string? hocon = null)
    {
        var server = new TestServer(hocon, Path.Combine(Path.GetTempPath(), "mwg-client-" + Guid.NewGuid().ToString("N")));
        await server.StartServerAsync();
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

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartServerAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
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
