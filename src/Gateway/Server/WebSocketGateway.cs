using Akka.Actor;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Hosting;

namespace MwgActors.Gateway.Server;

/// <summary>
/// The websocket endpoint with what it needs around it: the open connections, the token validator, the gate that
/// refuses upgrades until MwgActors is ready and once it stops. One instance serves <c>mwg serve</c>
/// (<see cref="MwgServer"/>, at "/") and apps that embed (<c>app.MapMwgActors(path)</c>).
/// </summary>
internal sealed class WebSocketGateway
{
    private readonly WebSocketEndpoint _endpoint;
    private volatile bool _accepting;

    /// <param name="validator">Null when authentication is off.</param>
    public WebSocketGateway(ActorSystem system, MwgActorsExtension mwg, ServerSettings settings, ILogger log, ITokenValidator? validator)
    {
        Settings = settings;
        Connections = new ConnectionRegistry();
        _endpoint = new WebSocketEndpoint(system, mwg, Connections, () => _accepting, settings, log, validator);
        Admin = new AdminEndpoints(mwg, Connections, validator);
    }

    public ServerSettings Settings { get; }

    public ConnectionRegistry Connections { get; }

    public AdminEndpoints Admin { get; }

    /// <summary>Whether upgrades are accepted; until then they are answered 503.</summary>
    public bool Accepting
    {
        get => _accepting;
        set => _accepting = value;
    }

    /// <summary>
    /// Maps the websocket endpoint at <paramref name="pattern"/> with a pipeline of its own that accepts websockets,
    /// so the app needs no <c>UseWebSockets()</c> of its own.
    /// </summary>
    public IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        var pipeline = endpoints.CreateApplicationBuilder();
        pipeline.UseWebSockets();
        pipeline.Run(_endpoint.HandleAsync);
        return endpoints.Map(pattern, pipeline.Build());
    }

    /// <summary>Refuses new upgrades, lets requests in flight finish (up to <paramref name="timeout"/>), closes every socket with 1001.</summary>
    public Task StopAsync(TimeSpan timeout)
    {
        _accepting = false;
        return Connections.CloseAllAsync(timeout);
    }
}
