using Akka.Actor;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Logging;
using MwgActors.Gateway.Server;

namespace MwgActors.Gateway.Hosting;

/// <summary>
/// MwgActors in a DI container: attaches to the container's <see cref="ActorSystem"/>, which is either the app's
/// own (registered before or after AddMwgActors; MwgActors then never terminates it) or one this runtime created
/// from the options (terminated when the host stops).
/// </summary>
internal sealed class MwgActorsRuntime
{
    private readonly IServiceProvider _services;
    private readonly MwgActorsOptions _options;
    private readonly Lock _gate = new();
    private ActorSystem? _created;
    private MwgActorsExtension? _extension;
    private WebSocketGateway? _gateway;
    private bool _ready;

    public MwgActorsRuntime(IServiceProvider services, MwgActorsOptions options)
    {
        _services = services;
        _options = options;
    }

    public ActorSystem System => _services.GetRequiredService<ActorSystem>();

    /// <summary>Whether the container's actor system is the one this runtime created (and so stops).</summary>
    public bool OwnsSystem => _created is not null && ReferenceEquals(_created, System);

    /// <summary>MwgActors in the container's actor system, started on first use.</summary>
    /// <exception cref="Akka.Configuration.ConfigurationException">A setting is invalid; the message names it.</exception>
    public MwgActorsExtension Extension
    {
        get
        {
            lock (_gate)
            {
                if (_extension is null)
                {
                    var system = System;
                    _extension = OwnsSystem ? MwgActorsExtension.Get(system) : system.UseMwgActors(_options);
                }

                return _extension;
            }
        }
    }

    /// <summary>The websocket endpoint that <c>MapMwgActors</c> mounts; closed until the hosted service reports ready.</summary>
    public WebSocketGateway Gateway
    {
        get
        {
            lock (_gate)
            {
                return _gateway ??= CreateGateway();
            }
        }
    }

    /// <summary>MwgActors has recovered: the websocket endpoint may accept.</summary>
    public void MarkReady()
    {
        lock (_gate)
        {
            _ready = true;
            _gateway?.Accepting = true;
        }
    }

    /// <summary>Refuses new websockets and closes the open ones, if the endpoint was ever made.</summary>
    public Task CloseGatewayAsync()
    {
        WebSocketGateway? gateway;
        lock (_gate)
        {
            _ready = false;
            gateway = _gateway;
        }

        return gateway is null ? Task.CompletedTask : gateway.StopAsync(gateway.Settings.ShutdownTimeout);
    }

    /// <summary>
    /// The factory of the container's actor system when the app registers none. Its log events go to the app's
    /// logging (<see cref="LoggingBridgeActor"/>), unless the app's HOCON names <c>akka.loggers</c> itself.
    /// </summary>
    public ActorSystem CreateSystem()
    {
        lock (_gate)
        {
            if (_created is null)
            {
                var config = MwgConfig.Build(_options.Build());
                _created = _services.GetService<ILoggerFactory>() is { } loggerFactory
                    ? ActorSystem.Create(_options.SystemName, AkkaLogging.Setup(config.WithFallback(AkkaLogging.LoggersConfig), loggerFactory))
                    : ActorSystem.Create(_options.SystemName, config);
            }

            return _created;
        }
    }

    private WebSocketGateway CreateGateway()
    {
        var system = System;
        var mwg = Extension;
        var config = system.Settings.Config;
        var auth = AuthSettings.Create(config);
        var log = _services.GetRequiredService<ILoggerFactory>().CreateLogger("MwgActors.Gateway");
        return new WebSocketGateway(system, mwg, ServerSettings.Create(config), log, auth.Enabled ? new TokenValidator(auth) : null)
        {
            Accepting = _ready,
        };
    }
}
