using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Server;

namespace MwgActors.Gateway.Tests;

/// <summary>A real server on 127.0.0.1 port 0 over a temporary RocksDB folder, removed on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly bool _ownsFolder;

    private TestServer(MwgServer server, string dataPath, bool ownsFolder)
    {
        Server = server;
        DataPath = dataPath;
        _ownsFolder = ownsFolder;
    }

    public MwgServer Server { get; }

    public string DataPath { get; }

    public Uri Uri => Server.WebSocketUri;

    /// <summary>Starts a server; <paramref name="dataPath"/> reuses a folder (a restart), else a new one is made.</summary>
    public static async Task<TestServer> StartAsync(string? hocon = null, string? dataPath = null)
    {
        var ownsFolder = dataPath is null;
        dataPath ??= Path.Combine(Path.GetTempPath(), "mwg-e2e-" + Guid.NewGuid().ToString("N"));
        var config = ConfigurationFactory.ParseString($"""
            mwg.server.port = 0
            mwg.storage.path = {MwgConfig.Quote(dataPath)}
            akka.loglevel = WARNING
            {hocon ?? string.Empty}
            """);
        var server = await MwgServer.StartAsync(config);
        return new TestServer(server, dataPath, ownsFolder);
    }

    /// <summary>Stops the server but keeps its folder, for a restart on the same data.</summary>
    public async Task<string> StopKeepingDataAsync()
    {
        await Server.DisposeAsync();
        return DataPath;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_ownsFolder && Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
