using System.Net;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MwgActors.Client;
using MwgActors.Gateway;

namespace MwgActors.TestKit;

/// <summary>
/// A real Kestrel on 127.0.0.1 (a free port) serving the MwgActors websocket endpoint of a spec's actor system,
/// for end-to-end specs with real <see cref="MwgClient"/>s. Disposing it disposes its clients and stops Kestrel
/// (closing the websockets); the actor system keeps running.
/// </summary>
public sealed class MwgLoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<MwgClient> _clients = [];
    private readonly Lock _gate = new();

    private MwgLoopbackServer(WebApplication app, Uri uri)
    {
        _app = app;
        Uri = uri;
    }

    /// <summary>The websocket URL, <c>ws://127.0.0.1:PORT/</c>.</summary>
    public Uri Uri { get; }

    /// <summary>Starts Kestrel for <paramref name="system"/>, which runs MwgActors or gets it started here.</summary>
    public static async Task<MwgLoopbackServer> StartAsync(ActorSystem system, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(system);
        builder.Services.AddMwgActors();
        var app = builder.Build();
        app.MapMwgActors("/");
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address");
        var port = new Uri(address).Port;
        return new MwgLoopbackServer(app, new Uri($"ws://127.0.0.1:{port}/"));
    }

    /// <summary>
    /// A client connected to this server, with timeouts and a reconnect backoff fit for specs (10 s; 10 to 200 ms);
    /// <paramref name="configure"/> may change them. Disposed with the server.
    /// </summary>
    public async Task<MwgClient> ConnectClientAsync(Func<MwgClientOptions, MwgClientOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new MwgClientOptions
        {
            Url = Uri,
            RequestTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(10),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        var client = await MwgClient.ConnectAsync(configure is null ? options : configure(options), cancellationToken);
        lock (_gate)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        MwgClient[] clients;
        lock (_gate)
        {
            clients = [.. _clients];
            _clients.Clear();
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
