using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Logging;
using MwgActors.Actors.Storage;
using MwgActors.Gateway.Metrics;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Gateway.Server;

/// <summary>
/// A running MwgActors server: the actor system with its storage, subscription and lock actors, and a Kestrel
/// host with the websocket endpoint at "/", <c>GET /healthz</c>, <c>GET /readyz</c>, <c>GET /metrics</c>,
/// <c>GET /admin/stats</c>, <c>POST /admin/reload</c>, the key listing <c>GET /keys</c>, the live page <c>/ui/</c> and
/// the JavaScript client <c>/client/mwg.js</c>. Logs (Akka's included) go to the console through
/// Microsoft.Extensions.Logging.
/// Used by <c>mwg serve</c> and by the end-to-end tests.
/// </summary>
/// <remarks>
/// In cluster mode (docs/cluster.md) the same server is one node: it joins the seed nodes of
/// <c>akka.cluster.seed-nodes</c> (none: it starts a new cluster), keeps a view in its data folder when it has the
/// storage role, and accepts websockets only when it has the gateway role.
/// </remarks>
public sealed class MwgServer : IAsyncDisposable
{
    /// <summary>The actor system's name; every node of a cluster uses it.</summary>
    public const string ActorSystemName = "mwg";

    private readonly WebApplication _app;
    private readonly WebSocketGateway _gateway;
    private readonly RocksDbDatabase? _dataFolder;
    private readonly ServerSettings _settings;
    private int _disposed;

    private MwgServer(ActorSystem system, MwgActorsExtension mwg, WebApplication app, WebSocketGateway gateway, ListingGate listings, RocksDbDatabase? dataFolder, ServerSettings settings, int port)
    {
        Listings = listings;
        System = system;
        Mwg = mwg;
        _app = app;
        _gateway = gateway;
        _dataFolder = dataFolder;
        _settings = settings;
        Port = port;
    }

    public ActorSystem System { get; }

    /// <summary>This node's cluster address (akka.tcp://mwg@host:port), or null outside cluster mode.</summary>
    public string? ClusterAddress => Mwg.ClusterSettings.Enabled ? Akka.Cluster.Cluster.Get(System).SelfAddress.ToString() : null;

    public MwgActorsExtension Mwg { get; }

    /// <summary>The port Kestrel listens on (read back when 0 was asked).</summary>
    public int Port { get; }

    public IPAddress Address => _settings.Bind;

    /// <summary>Whether the server speaks TLS (mwg.server.tls).</summary>
    public bool TlsEnabled => _settings.TlsEnabled;

    /// <summary>Whether clients must present a token (mwg.auth.enabled).</summary>
    public bool AuthenticationEnabled => _settings.AuthenticationEnabled;

    /// <summary>Plain text without authentication on an address other than loopback (only with --insecure).</summary>
    public bool ExposedInPlainText => !IPAddress.IsLoopback(_settings.Bind) && !_settings.TlsEnabled && !_settings.AuthenticationEnabled;

    public Uri WebSocketUri => new($"{(TlsEnabled ? "wss" : "ws")}://{FormatHost(_settings.Bind)}:{Port}/");

    public Uri HttpUri => new($"{(TlsEnabled ? "https" : "http")}://{FormatHost(_settings.Bind)}:{Port}/");

    /// <summary>The <c>GET /keys</c> listings in flight and the bytes they hold.</summary>
    internal ListingGate Listings { get; }

    /// <summary>Open websocket connections.</summary>
    public int ConnectionCount => _gateway.Connections.Count;

    /// <summary>The open websocket connections themselves, for tests.</summary>
    internal ConnectionRegistry Connections => _gateway.Connections;

    /// <summary>
    /// Starts a server on <paramref name="userConfig"/> layered over reference.conf.
    /// </summary>
    /// <exception cref="ConfigurationException">A setting is invalid; the message names it.</exception>
    /// <exception cref="MwgActors.Storage.StoreException">The data folder is in use, not accessible or corrupt.</exception>
    public static async Task<MwgServer> StartAsync(Config? userConfig = null, CancellationToken cancellationToken = default)
    {
        var config = MwgConfig.Build(userConfig);
        var settings = ServerSettings.Create(config);
        var logging = LoggingSettings.Create(config);
        var storage = StorageSettings.Create(config);
        var auth = AuthSettings.Create(config);
        var cluster = ClusterSettings.Create(config);
        var validator = auth.Enabled ? new TokenValidator(auth) : null;

        // Open the data folder before anything else so "already in use" stops startup with one clear line
        // instead of an actor failing later. The journal and the view share this open database.
        var dataFolder = storage.Store == StoreKind.RocksDb && (!cluster.Enabled || cluster.IsStorage)
            ? RocksDbDatabase.Acquire(new RocksDbSettings(storage.DataPath, SyncWrites: false, storage.BlockCacheBytes))
            : null;

        // The host is built first for its logger factory: the actor system logs through it from its first event.
        var app = CreateApp(settings, logging);
        ActorSystem? system = null;
        try
        {
            system = ActorSystem.Create(ActorSystemName, AkkaLogging.Setup(SystemConfig(config, logging), app.Services.GetRequiredService<ILoggerFactory>()));
            var mwg = MwgActorsExtension.Get(system);
            if (cluster.Enabled && config.GetStringList("akka.cluster.seed-nodes").Count == 0)
            {
                // No seed to join: this node starts the cluster the others join.
                var node = Akka.Cluster.Cluster.Get(system);
                node.Join(node.SelfAddress);
            }

            await mwg.WaitUntilReadyAsync(TimeSpan.FromMinutes(5), cancellationToken);

            var (gateway, listings) = MapEndpoints(app, settings, system, mwg, validator);
            gateway.Accepting = true;
            await app.StartAsync(cancellationToken);
            var port = ReadPort(app, settings.Port);
            return new MwgServer(system, mwg, app, gateway, listings, dataFolder, settings, port);
        }
        catch
        {
            if (system is not null)
            {
                await system.Terminate();
            }

            await app.DisposeAsync();
            dataFolder?.Release();
            throw;
        }
    }

    /// <summary>
    /// Graceful stop: refuse new connections, let requests in flight finish (up to mwg.server.shutdown-timeout),
    /// close sockets with 1001, stop the actors (journal writes in flight complete), release the data folder.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _gateway.StopAsync(_settings.ShutdownTimeout);
        await _app.StopAsync(CancellationToken.None);
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance);

        // Disposed after the actor system stopped: its last log events still have somewhere to go.
        await _app.DisposeAsync();
        _dataFolder?.Release();
    }

    /// <summary>
    /// The actor system's configuration: Akka logs through <see cref="LoggingBridgeActor"/> at
    /// <c>mwg.logging.level</c>, unless the configuration sets <c>akka.loglevel</c> itself. Akka's own SIGTERM hook is
    /// off unless configured: <see cref="DisposeAsync"/> runs the coordinated shutdown after the gateway has drained
    /// (the hook would stop the actors under requests in flight, and a cluster node would seem to have been downed).
    /// </summary>
    private static Config SystemConfig(Config config, LoggingSettings logging) =>
        AkkaLogging.LoggersConfig.WithFallback(config).WithFallback(AkkaLogging.LevelConfig(logging.Level)).WithFallback(NoClrShutdownHook);

    private static readonly Config NoClrShutdownHook = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");

    private static WebApplication CreateApp(ServerSettings settings, LoggingSettings logging)
    {
        var builder = WebApplication.CreateSlimBuilder();
        ServerLogging.Configure(builder.Logging, logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.Bind, settings.Port, listen =>
            {
                if (settings.Tls is { } tls)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = tls.Certificate;
                        https.HandshakeTimeout = settings.HandshakeTimeout;
                    });
                }
            });
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;

            // The HTTP side's budgets (docs/security.md): TCP connections not upgraded, and Kestrel's own backstop
            // for upgraded ones above the endpoint's max-connections (which answers 503 first; a socket closing
            // still counts in Kestrel until its TCP connection ends). A client that reads a response or sends a
            // body below the floor is dropped after the grace period, giving back what it held.
            var http = settings.Http;
            kestrel.Limits.MaxConcurrentConnections = http.MaxHttpConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = Math.Min(2L * settings.MaxConnections, int.MaxValue);
            kestrel.Limits.MinResponseDataRate = http.MinResponseDataRate > 0 ? new MinDataRate(http.MinResponseDataRate, http.DataRateGracePeriod) : null;
            kestrel.Limits.MinRequestBodyDataRate = http.MinRequestBodyDataRate > 0 ? new MinDataRate(http.MinRequestBodyDataRate, http.DataRateGracePeriod) : null;

            // A connection that never sends its upgrade is dropped: nothing is sent (KeepAliveTimeout, which Kestrel
            // applies until the first byte) or headers trickle in (RequestHeadersTimeout). Upgraded websockets are
            // not subject to either.
            kestrel.Limits.KeepAliveTimeout = settings.HandshakeTimeout;
            kestrel.Limits.RequestHeadersTimeout = settings.HandshakeTimeout;
        });

        return builder.Build();
    }

    private static (WebSocketGateway Gateway, ListingGate Listings) MapEndpoints(WebApplication app, ServerSettings settings, ActorSystem system, MwgActorsExtension mwg, ITokenValidator? validator)
    {
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MwgActors.Gateway");
        var gateway = new WebSocketGateway(system, mwg, settings, log, validator);
        var admin = gateway.Admin;
        var keys = new KeysEndpoint(mwg, validator, settings.Http, log);

        // Before every endpoint, the websocket upgrade included: a Host this server does not answer for is refused.
        app.Use(HostPolicy.Middleware(settings, log));

        // HEAD too: probes and monitors that only look at the status.
        app.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], () => Results.Text("ok\n"));
        app.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], admin.ReadyAsync);
        app.MapGet("/admin/stats", admin.StatsAsync);
        app.MapPost("/admin/reload", admin.ReloadAsync);
        app.MapGet("/keys", keys.ListAsync);
        StaticAssets.Load().Map(app);
        if (settings.Metrics.Enabled)
        {
            var metrics = app.MapMwgMetrics(mwg.Metrics, settings.Metrics.Path);
            if (validator is not null)
            {
                metrics.AddEndpointFilter(admin.RequireToken);
            }
        }

        if (!mwg.ClusterSettings.Enabled || mwg.ClusterSettings.IsGateway)
        {
            gateway.Map(app, "/");
        }
        else
        {
            app.Map("/", () => Results.Text("this cluster node has no gateway role: connect to a gateway node\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        }

        return (gateway, keys.Listings);
    }

    private static int ReadPort(WebApplication app, int configured)
    {
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>();
        var first = addresses?.Addresses.FirstOrDefault();
        return first is not null && Uri.TryCreate(first.Replace("[::]", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : configured;
    }

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
