using Akka.Actor;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Hosting;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Server;

/// <summary>
/// Accepts websockets at "/": no subprotocol is the original G1 dialect, <c>mwg.v1</c> binary with extensions,
/// <c>mwg.json.v1</c> JSON. Each socket gets a connection actor; the socket loops feed it.
/// </summary>
internal sealed class WebSocketEndpoint
{
    private readonly ActorSystem _system;
    private readonly MwgActorsExtension _mwg;
    private readonly ConnectionRegistry _connections;
    private readonly Func<bool> _accepting;
    private readonly ServerSettings _server;
    private readonly ILogger _log;
    private readonly ITokenValidator? _validator;
    private long _nextConnection;

    // Websockets accepted or being accepted: counted before the upgrade, so a burst cannot overshoot the bound.
    private int _open;

    public WebSocketEndpoint(ActorSystem system, MwgActorsExtension mwg, ConnectionRegistry connections, Func<bool> accepting, ServerSettings server, ILogger log, ITokenValidator? validator)
    {
        _validator = validator;
        _system = system;
        _mwg = mwg;
        _connections = connections;
        _accepting = accepting;
        _server = server;
        _log = log;
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("MwgActors: connect with a websocket (see docs/protocol.md)\n", context.RequestAborted);
            return;
        }

        if (!_accepting())
        {
            _mwg.Metrics.ConnectionRefused(ConnectionRefusal.ShuttingDown);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (!OriginPolicy.Allows(_server, context.Request))
        {
            _mwg.Metrics.ConnectionRefused(ConnectionRefusal.Origin);
            GatewayLog.OriginRefused(_log, context.Connection.RemoteIpAddress?.ToString(), context.Request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var (dialect, subprotocol) = Subprotocols.Select(context.WebSockets.WebSocketRequestedProtocols);
        var auth = Authenticate(context.Request, dialect);
        if (auth is null)
        {
            // Refused before the upgrade: no websocket for a client without a valid token.
            _mwg.Metrics.ConnectionRefused(ConnectionRefusal.Unauthorized);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }

        var open = Interlocked.Increment(ref _open);
        try
        {
            if (open > _server.MaxConnections)
            {
                // Refused before the upgrade: no websocket, actor or buffers for a connection over the bound.
                _mwg.Metrics.ConnectionRefused(ConnectionRefusal.Capacity);
                GatewayLog.TooManyConnections(_log, context.Connection.RemoteIpAddress?.ToString(), open - 1, _server.MaxConnections);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            await ServeAsync(context, dialect, subprotocol, auth);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task ServeAsync(HttpContext context, Dialect dialect, string? subprotocol, ConnectionAuth auth)
    {
        var settings = _mwg.ConnectionSettings;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subprotocol,
            KeepAliveInterval = settings.KeepAliveInterval,
            KeepAliveTimeout = settings.KeepAliveInterval > TimeSpan.Zero ? settings.KeepAliveInterval : Timeout.InfiniteTimeSpan,
        });

        var codec = new ServerCodec(dialect, settings.Limits);
        using var connection = new WebSocketConnection(socket, codec.IsText, settings);
        var name = $"connection-{Interlocked.Increment(ref _nextConnection)}";
        var actor = _system.ActorOf(ConnectionActor.Props(settings, codec, connection, _mwg.ConnectionRefs, auth), name);
        _connections.Add(connection, dialect);
        try
        {
            await connection.RunAsync(actor, context.RequestAborted);
        }
        finally
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>
    /// The connection's authentication, or null to refuse the upgrade with 401. With authentication on, a token
    /// must come in the handshake, except for the JSON dialect, which may authenticate in-band after connecting.
    /// </summary>
    private ConnectionAuth? Authenticate(HttpRequest request, Dialect dialect)
    {
        if (_validator is null)
        {
            return ConnectionAuth.None;
        }

        var token = HandshakeToken.From(request);
        if (token is null)
        {
            return dialect == Dialect.Json ? new ConnectionAuth(null, _validator, true) : null;
        }

        if (_validator.TryValidate(token, out var principal, out _))
        {
            return new ConnectionAuth(principal, _validator, true);
        }

        GatewayLog.TokenRefused(_log, request.HttpContext.Connection.RemoteIpAddress?.ToString());
        return null;
    }
}
