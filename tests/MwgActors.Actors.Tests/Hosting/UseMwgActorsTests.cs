using System.Text;
using Akka.Actor;
using Akka.Configuration;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Tests.Support;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Hosting;

/// <summary>
/// Attaching MwgActors to an actor system the app created with its own configuration, the way an app without
/// ASP.NET embeds it (docs/embedding.md).
/// </summary>
public sealed class UseMwgActorsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly List<ActorSystem> _systems = [];
    private readonly TempFolder _folder = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var system in _systems)
        {
            await system.Terminate();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task An_app_system_should_get_an_in_memory_store_and_keep_its_own_default_journal()
    {
        var system = AppSystem("akka.persistence.journal.plugin = \"akka.persistence.journal.inmem\"");

        var mwg = system.UseMwgActors(o => o.UseInMemoryStore());
        await mwg.WaitUntilReadyAsync(Patience);
        await using var subscription = await mwg.Store.SubscribeAsync([Utf8("k/")]);
        var revision = await mwg.Store.PutAsync([Pair("k/1", "one")]);

        Assert.Equal(1, revision);
        Assert.Equal("one", Text((await mwg.Store.GetAsync([Utf8("k/1")]))[0]));
        var notification = Assert.IsType<SubscribedKeysChanged>(await subscription.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("k/1", Text(Assert.Single(notification.Changes).Key));

        // MwgActors names its plugins in its own ids; the app's default stays the app's.
        var config = system.Settings.Config;
        Assert.Equal(MwgConfig.InMemoryJournal, config.GetString("mwg.storage.journal-plugin-id"));
        Assert.Equal(MwgConfig.InMemoryJournal, config.GetString("mwg.subscriptions.journal-plugin-id"));
        Assert.Equal(StoreKind.Memory, mwg.StorageSettings.Store);
        Assert.Equal("my-app-value", config.GetString("app.setting"));
    }

    [Fact]
    public async Task A_RocksDb_folder_should_keep_the_data_across_a_restart_of_the_app_system()
    {
        var first = AppSystem();
        var mwg = first.UseMwgActors(o => o.UseRocksDb(_folder.Path));
        await mwg.Store.PutAsync([Pair("k/1", "kept")]);
        Assert.Equal(MwgConfig.RocksDbJournal, first.Settings.Config.GetString("mwg.storage.journal-plugin-id"));
        Assert.Equal(_folder.Path, first.Settings.Config.GetString("mwg.persistence.journal.path"));
        await first.Terminate();

        var second = AppSystem();
        var again = second.UseMwgActors(o => o.UseRocksDb(_folder.Path));

        Assert.Equal(1, await again.WaitUntilReadyAsync(Patience));
        Assert.Equal("kept", Text((await again.Store.GetAsync([Utf8("k/1")]))[0]));
        Assert.True(File.Exists(Path.Combine(_folder.Path, "CURRENT")), "the folder should hold a RocksDB database");
    }

    [Fact]
    public async Task The_app_configuration_mwg_section_and_the_options_should_both_apply()
    {
        var system = AppSystem("""
            mwg.storage.store = memory
            mwg.storage.readers = 2
            mwg.api.ask-timeout = 7s
            """);

        var mwg = system.UseMwgActors(o => o.AddHocon("mwg.storage.snapshot-every = 500"));
        await mwg.WaitUntilReadyAsync(Patience);

        Assert.Equal(StoreKind.Memory, mwg.StorageSettings.Store);
        Assert.Equal(2, mwg.StorageSettings.ReaderCount);
        Assert.Equal(500, mwg.StorageSettings.SnapshotEvery);
        Assert.Equal(TimeSpan.FromSeconds(7), ApiSettings.Create(system.Settings.Config).AskTimeout);
    }

    [Fact]
    public async Task Get_on_a_system_with_only_an_mwg_section_should_start_with_the_reference_under_it()
    {
        var system = AppSystem("mwg.storage.store = memory");

        var mwg = MwgActorsExtension.Get(system);

        Assert.Equal(0, await mwg.WaitUntilReadyAsync(Patience));
        Assert.Equal(4, mwg.StorageSettings.ReaderCount);
    }

    [Fact]
    public void Options_that_disagree_with_the_app_configuration_should_be_refused_naming_the_key()
    {
        var system = AppSystem("mwg.api.ask-timeout = 7s");

        var refused = Assert.Throws<ConfigurationException>(() => system.UseMwgActors(o => o.UseInMemoryStore().AddHocon("mwg.api.ask-timeout = 9s")));

        Assert.Contains("mwg.api.ask-timeout", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_that_a_system_made_for_another_store_overrides_should_be_refused_naming_the_key()
    {
        var system = ActorSystem.Create("built", MwgTestConfig.RocksDb(_folder.Path));
        _systems.Add(system);

        var refused = Assert.Throws<ConfigurationException>(() => system.UseMwgActors(o => o.UseInMemoryStore()));

        Assert.Contains("mwg.storage.store", refused.Message, StringComparison.Ordinal);
        Assert.False(system.HasExtension<MwgActorsExtension>());
    }

    [Fact]
    public async Task A_second_call_should_return_the_running_extension_and_refuse_new_options()
    {
        var system = AppSystem();
        var mwg = system.UseMwgActors(o => o.UseInMemoryStore());

        Assert.Same(mwg, system.UseMwgActors());
        Assert.Same(mwg, MwgActorsExtension.Get(system));
        Assert.Throws<InvalidOperationException>(() => system.UseMwgActors(o => o.UseInMemoryStore()));
        Assert.Equal(0, await mwg.WaitUntilReadyAsync(Patience));
    }

    [Fact]
    public void A_missing_HOCON_file_should_be_refused_naming_it()
    {
        var system = AppSystem();

        var refused = Assert.Throws<ConfigurationException>(() => system.UseMwgActors(o => o.AddHoconFile("no-such-mwg.conf")));

        Assert.Contains("no-such-mwg.conf", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Later_option_layers_should_win_over_earlier_ones()
    {
        var options = new MwgActorsOptions()
            .UseRocksDb("/tmp/first")
            .AddHocon("mwg.storage.readers = 3")
            .UseInMemoryStore();

        var config = options.Build();

        Assert.Equal("memory", config.GetString("mwg.storage.store"));
        Assert.Equal("/tmp/first", config.GetString("mwg.storage.path"));
        Assert.Equal(3, config.GetInt("mwg.storage.readers"));
    }

    private ActorSystem AppSystem(string hocon = "")
    {
        var system = ActorSystem.Create("app", ConfigurationFactory.ParseString($"""
            akka.loglevel = WARNING
            app.setting = my-app-value
            {hocon}
            """));
        _systems.Add(system);
        return system;
    }

    private static KeyValuePair<byte[], byte[]> Pair(string key, string value) => new(Utf8(key), Utf8(value));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
