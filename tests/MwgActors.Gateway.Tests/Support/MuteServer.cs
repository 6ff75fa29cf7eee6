using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A websocket server on 127.0.0.1 port 0 that speaks just enough <c>mwg.v1</c> for a client to connect (its hello),
/// then never answers a request: it swallows every frame (<see cref="Mode.Silent"/>) or drops the connection once
/// the first request arrived (<see cref="Mode.DropAfterRequest"/>). What a client sees when its write reached a server
/// that then went away or stalled: the outcome is unknown.
/// </summary>
internal sealed class MuteServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private MuteServer(WebApplication app, Uri uri)
    {
        _app = app;
        Uri = uri;
    }

    public enum Mode
    {
        Silent,
        DropAfterRequest,
    }

    public Uri Uri { get; }

    /// <summary>Request frames received so far (the hello exchange excluded).</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<MuteServer> StartAsync(Mode mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        MuteServer? server = null;
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync(Subprotocols.Extended);
            var hello = new BinaryServerEncoder(Dialect.Extended).Encode(new Hello(Subprotocols.Version, "mute", ProtocolLimits.Default));
            await socket.SendAsync(hello, WebSocketMessageType.Binary, endOfMessage: true, context.RequestAborted);
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    if (received.EndOfMessage)
                    {
                        Interlocked.Increment(ref server!._requests);
                        if (mode == Mode.DropAfterRequest)
                        {
                            socket.Abort();
                            return;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The client went away.
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new MuteServer(app, new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
