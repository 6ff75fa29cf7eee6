using System.Net.WebSockets;
using Akka.Actor;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Hosting;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Server;

/// <summary>
/// Accepts websockets at "/": no subprotocol is the original G1 dialect, <c>mwg.v1</c> binary with extensions,
/// <c>mwg.json.v1</c> JSON. Each socket gets a connection actor, started under <see cref="ConnectionsParentActor"/>;
/// the socket loops feed it and watch it.
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

    // One round trip to the connections parent; it only fails to answer when the actor system is going away.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    // Websockets accepted or being accepted, and those of them not authenticated yet.
    private readonly ConnectionAdmission _admission;

    public WebSocketEndpoint(ActorSystem system, MwgActorsExtension mwg, ConnectionRegistry connections, Func<bool> accepting, ServerSettings server, ILogger log, ITokenValidator? validator)
    {
        _validator = validator;
        _system = system;
        _mwg = mwg;
        _connections = connections;
        _accepting = accepting;
        _server = server;
        _log = log;
        _admission = new ConnectionAdmission(server.MaxConnections, server.MaxUnauthenticatedConnections);
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

        using var admission = _admission.TryAdmit(auth.Principal is not null, out var refusal);
        if (admission is null)
        {
            // Refused before the upgrade: no websocket, actor or buffers for a connection over the bound.
            var remote = context.Connection.RemoteIpAddress?.ToString();
            if (refusal == ConnectionAdmission.Refusal.UnauthenticatedCapacity)
            {
                _mwg.Metrics.ConnectionRefused(ConnectionRefusal.UnauthenticatedCapacity);
                GatewayLog.TooManyUnauthenticated(_log, remote, _admission.MaxUnauthenticated);
            }
            else
            {
                _mwg.Metrics.ConnectionRefused(ConnectionRefusal.Capacity);
                GatewayLog.TooManyConnections(_log, remote, _admission.Open, _server.MaxConnections);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        if (auth.Principal is null)
        {
            // In-band authentication moves the connection from the unauthenticated count to the authenticated one.
            auth = auth with { Authenticated = admission.Authenticated };
        }

        await ServeAsync(context, dialect, subprotocol, auth);
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
        var actor = await StartActorAsync(ConnectionActor.Props(settings, codec, connection, _mwg.ConnectionRefs, auth), context.RequestAborted);
        if (actor is null)
        {
            // The system is stopping (the connections parent is gone): a clean "going away", not a dropped socket.
            codec.Dispose();
            await CloseGoingAwayAsync(socket);
            return;
        }

        _connections.Add(connection, dialect);
        try
        {
            await connection.RunAsync(actor, SystemStopping, context.RequestAborted);
        }
        finally
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>The new connection actor, or null when the connections parent did not answer (the system is stopping).</summary>
    private async Task<IActorRef?> StartActorAsync(Props props, CancellationToken cancellationToken)
    {
        if (SystemStopping())
        {
            return null;
        }

        var ticket = ConnectionsParentProtocol.NextTicket();
        try
        {
            var started = await _mwg.Connections.Ask<ConnectionsParentProtocol.ConnectionStarted>(
                new ConnectionsParentProtocol.StartConnection(props, ticket), StartTimeout, cancellationToken);
            return started.Connection;
        }
        catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException)
        {
            // The parent may have started it after all: no actor may live on without its socket.
            _mwg.Connections.Tell(new ConnectionsParentProtocol.AbandonConnection(ticket));
            return null;
        }
    }

    private bool SystemStopping() => CoordinatedShutdown.Get(_system).ShutdownReason is not null || _system.WhenTerminated.IsCompleted;

    private static async Task CloseGoingAwayAsync(WebSocket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down", timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The peer is gone already.
        }
    }

    /// <summary>
    /// The connection's authentication, or null to refuse the upgrade with 401. With authentication on, a token
    /// must come in the handshake, except for the JSON and extended dialects, which have an in-band auth request:
    /// without a token they are admitted under max-unauthenticated-connections and have authenticate-timeout to
    /// present one. A token that is presented and refused is a 401 in every dialect.
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
            // Credentials of another scheme (Basic ...) are refused, not taken for "no token yet".
            var inBand = dialect is Dialect.Json or Dialect.Extended && request.Headers.Authorization.Count == 0;
            return inBand ? new ConnectionAuth(null, _validator, true) : null;
        }

        if (_validator.TryValidate(token, out var principal, out _))
        {
            return new ConnectionAuth(principal, _validator, true);
        }

        GatewayLog.TokenRefused(_log, request.HttpContext.Connection.RemoteIpAddress?.ToString());
        return null;
    }
}
