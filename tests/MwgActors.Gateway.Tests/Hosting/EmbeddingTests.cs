using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Client;
using MwgActors.Protocol;
using MwgActors.Actors.Subscriptions;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// MwgActors inside an app: <c>services.AddMwgActors(...)</c> and <c>app.MapMwgActors(path)</c> in a real ASP.NET
/// app on 127.0.0.1 port 0, and in a generic host without ASP.NET (docs/embedding.md).
/// </summary>
public sealed class EmbeddingTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<IAsyncDisposable> _cleanup = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _cleanup.Count - 1; i >= 0; i--)
        {
            await _cleanup[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task A_client_of_the_mounted_endpoint_and_the_in_process_API_from_DI_should_see_each_other()
    {
        var (app, uri) = await StartWebAppAsync(services => services.AddMwgActors(o => o.UseInMemoryStore()));
        var store = app.Services.GetRequiredService<MwgStore>();
        var client = await ConnectAsync(uri);
        await using var subscription = await client.SubscribeAsync([Utf8("app/")], new SubscribeOptions { IncludeValues = true });
        await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();

        var written = await store.PutAsync([new(Utf8("app/1"), Utf8("from the app"))]);
        var change = Assert.IsType<ChangesReceived>(await NextAsync(events));
        var clientRevision = await client.PutAsync([new KeyValue(Utf8("app/2"), Utf8("from a client"))]);

        Assert.Equal(written, change.Revision);
        Assert.Equal(("app/1", "from the app"), (Text(change.Changes[0].Key), Text(change.Changes[0].Value)));
        Assert.Equal(written + 1, clientRevision);
        Assert.Equal("from a client", Text((await store.GetAsync([Utf8("app/2")]))[0]));
    }

    [Fact]
    public async Task The_mounted_endpoint_should_leave_the_app_routes_alone_and_answer_plain_HTTP_with_400()
    {
        var (_, uri) = await StartWebAppAsync(services => services.AddMwgActors(o => o.UseInMemoryStore()));
        using var http = new HttpClient { BaseAddress = new Uri($"http://{uri.Host}:{uri.Port}/") };

        var hello = await http.GetStringAsync(new Uri("hello", UriKind.Relative));
        using var plain = await http.GetAsync(new Uri("mwg", UriKind.Relative));

        Assert.Equal("hello from the app", hello);
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
    }

    [Fact]
    public async Task Stopping_the_host_should_close_websockets_and_terminate_the_system_it_created()
    {
        var (app, uri) = await StartWebAppAsync(services => services.AddMwgActors(o => o.UseInMemoryStore()));
        var system = app.Services.GetRequiredService<ActorSystem>();
        var client = await ConnectAsync(uri);

        await app.StopAsync();

        await system.WhenTerminated.WaitAsync(Patience);
        await WaitForStateAsync(client, ConnectionState.Reconnecting);
    }

    [Fact]
    public async Task The_app_actor_system_in_DI_should_be_attached_to_and_left_running_when_the_host_stops()
    {
        var appSystem = ActorSystem.Create("my-app", "akka.loglevel = WARNING");
        _cleanup.Add(new TerminateOnDispose(appSystem));
        var (app, uri) = await StartWebAppAsync(services => services
            .AddSingleton(appSystem)
            .AddMwgActors(o => o.UseInMemoryStore()));
        var client = await ConnectAsync(uri);

        var revision = await client.PutAsync([new KeyValue(Utf8("k"), Utf8("v"))]);
        await app.StopAsync();

        Assert.Same(appSystem, app.Services.GetRequiredService<ActorSystem>());
        Assert.Same(MwgActorsExtension.Get(appSystem), app.Services.GetRequiredService<MwgActorsExtension>());
        Assert.Equal(MwgConfig.InMemoryJournal, appSystem.Settings.Config.GetString("mwg.storage.journal-plugin-id"));
        Assert.False(appSystem.WhenTerminated.IsCompleted);
        Assert.Equal(revision, await MwgActorsExtension.Get(appSystem).Store.GetRevisionAsync());
    }

    [Fact]
    public async Task A_generic_host_without_ASP_NET_should_start_MwgActors_and_serve_the_API_from_DI()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddMwgActors(o => o.UseInMemoryStore().AddHocon("mwg.api.ask-timeout = 15s"));
        using var host = builder.Build();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<MwgStore>();

        await using var subscription = await store.SubscribeAsync([Utf8("svc/")]);
        var revision = await store.PutAsync([new(Utf8("svc/a"), Utf8("1"))]);

        var notification = Assert.IsType<SubscriptionProtocol.SubscribedKeysChanged>(await subscription.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(revision, notification.Revision);
        await host.StopAsync();
        await host.Services.GetRequiredService<ActorSystem>().WhenTerminated.WaitAsync(Patience);
    }

    [Fact]
    public async Task An_IConfiguration_section_should_map_onto_the_mwg_keys_under_the_options_layers()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mwg:Storage:Store"] = "memory",
            ["Mwg:Storage:Readers"] = "2",
            ["Mwg:Storage:retain-age"] = "2d",
            ["Mwg:Storage:BlockCacheSize"] = "8m",
            ["Mwg:Api:AskTimeout"] = "12s",
            ["Mwg:Connection:G1PushPuts"] = "off",
            ["Mwg:Connection:ServerId"] = "line one\nline \"two\"",
            ["Mwg:Server:AllowedOrigins:0"] = "https://a.example.com",
            ["Mwg:Server:AllowedOrigins:1"] = "https://b.example.com",
            ["Mwg:Locks:GracePeriod"] = "5s",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddMwgActors(configuration.GetSection("Mwg"), o => o.AddHocon("mwg.locks.grace-period = 7s"));
        await using var provider = services.BuildServiceProvider();

        var mwg = provider.GetRequiredService<MwgActorsExtension>();
        var config = provider.GetRequiredService<ActorSystem>().Settings.Config;

        Assert.Equal(StoreKind.Memory, mwg.StorageSettings.Store);
        Assert.Equal(2, mwg.StorageSettings.ReaderCount);
        Assert.Equal(TimeSpan.FromDays(2), mwg.StorageSettings.RetainAge);
        Assert.Equal(8 * 1024 * 1024, mwg.StorageSettings.BlockCacheBytes);
        Assert.Equal(TimeSpan.FromSeconds(12), ApiSettings.Create(config).AskTimeout);
        Assert.False(mwg.ConnectionSettings.G1PushPuts);
        Assert.Equal("line one\nline \"two\"", mwg.ConnectionSettings.ServerId);
        Assert.Equal(["https://a.example.com", "https://b.example.com"], config.GetStringList("mwg.server.allowed-origins"));
        Assert.Equal(TimeSpan.FromSeconds(7), config.GetTimeSpan("mwg.locks.grace-period"));
        await provider.GetRequiredService<ActorSystem>().Terminate();
    }

    [Fact]
    public async Task A_bad_setting_from_IConfiguration_should_stop_startup_naming_the_HOCON_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mwg:Storage:Store"] = "memory",
            ["Mwg:Storage:Readers"] = "many",
        }).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddMwgActors(configuration.GetSection("Mwg"));
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<ConfigurationException>(() => host.StartAsync());

        Assert.Contains("mwg.storage.readers", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapMwgActors_without_AddMwgActors_should_say_what_is_missing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var refused = Assert.Throws<InvalidOperationException>(() => app.MapMwgActors("/mwg"));

        Assert.Contains("AddMwgActors", refused.Message, StringComparison.Ordinal);
    }

    private async Task<(WebApplication App, Uri WebSocket)> StartWebAppAsync(Action<IServiceCollection> addServices)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        addServices(builder.Services);
        var app = builder.Build();
        app.MapGet("/hello", () => "hello from the app");
        app.MapMwgActors("/mwg");
        await app.StartAsync();
        _cleanup.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal) + "/mwg"));
    }

    private async Task<MwgClient> ConnectAsync(Uri uri)
    {
        var client = await MwgClient.ConnectAsync(new MwgClientOptions
        {
            Url = uri,
            RequestTimeout = Patience,
            ConnectTimeout = Patience,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        });
        _cleanup.Add(client);
        return client;
    }

    private static async Task<SubscriptionEvent> NextAsync(IAsyncEnumerator<SubscriptionEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience), "the subscription ended");
        return events.Current;
    }

    private static async Task WaitForStateAsync(MwgClient client, ConnectionState state)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var now in client.WatchStateAsync(timeout.Token))
        {
            if (now == state)
            {
                return;
            }
        }

        Assert.Fail($"the client closed before reaching {state}");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private sealed class TerminateOnDispose(ActorSystem system) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await system.Terminate();
    }
}
