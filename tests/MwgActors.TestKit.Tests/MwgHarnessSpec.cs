using Akka.Actor;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Client;
using MwgActors.Protocol;
using Xunit.Sdk;

namespace MwgActors.TestKit.Tests;

/// <summary>What the harness promises: its expectations, its recording and its loopback server.</summary>
public sealed class MwgHarnessSpec : MwgSpec
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task The_spec_system_should_run_MwgActors_on_an_in_memory_store()
    {
        Assert.Equal(StoreKind.Memory, Harness.Mwg.StorageSettings.Store);
        Assert.Same(MwgActorsExtension.Get(Sys), Harness.Mwg);
        Assert.Equal(0, await Store.GetRevisionAsync());
    }

    [Fact]
    public async Task ExpectChangeAsync_should_return_changes_under_a_prefix_in_order_and_leave_the_others()
    {
        await PutAsync("a/1", "one");
        await PutAsync("b/1", "bee");
        await PutAsync("a/2", "two");
        await RemoveAsync("a/1");

        var first = await ExpectChangeAsync("a/");
        var second = await ExpectChangeAsync("a/");
        var removal = await ExpectChangeAsync("a/");
        var other = await ExpectChangeAsync("b/");

        Assert.Equal(("a/1", "one", 1L), (first.Key, first.Value, first.Revision));
        Assert.Equal(("a/2", "two", 3L), (second.Key, second.Value, second.Revision));
        Assert.Equal(("a/1", true, 4L), (removal.Key, removal.Removed, removal.Revision));
        Assert.Equal(("b/1", "bee"), (other.Key, other.Value));
    }

    [Fact]
    public async Task ExpectChangeAsync_should_wait_for_a_change_written_later()
    {
        var expectation = ExpectChangeAsync("later/");
        Assert.False(expectation.IsCompleted);

        var revision = await PutAsync("later/x", "1");

        Assert.Equal(revision, (await expectation).Revision);
    }

    [Fact]
    public async Task A_condition_should_skip_changes_it_rejects_without_consuming_them()
    {
        await PutAsync([new("k/1", "skip"), new("k/2", "take")]);

        var taken = await ExpectChangeAsync("k/", c => c.Value == "take");
        var left = await ExpectChangeAsync("k/");

        Assert.Equal("k/2", taken.Key);
        Assert.Equal(taken.Revision, left.Revision);
        Assert.Equal("k/1", left.Key);
    }

    [Fact]
    public async Task A_missing_change_should_fail_naming_the_prefix_and_what_was_seen()
    {
        await PutAsync("seen/1", "x");

        var failure = await Assert.ThrowsAsync<XunitException>(() => ExpectChangeAsync("never/", timeout: Short));

        Assert.Contains("'never/'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("seen/1 = x", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpectNoChangeAsync_should_fail_on_an_unconsumed_change_and_pass_once_it_is_taken()
    {
        await PutAsync("quiet/1", "noise");
        await ExpectChangeAsync("quiet/");
        await ExpectNoChangeAsync("quiet/", Short);

        await PutAsync("quiet/2", "more");

        var failure = await Assert.ThrowsAsync<XunitException>(() => ExpectNoChangeAsync("quiet/", Short));
        Assert.Contains("quiet/2", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forced_reload_should_be_expected_by_prefix()
    {
        await Store.ForceReloadAsync([System.Text.Encoding.UTF8.GetBytes("users/")]);

        var reloaded = await ExpectReloadAsync("users/");

        Assert.Equal(["users/"], reloaded);
    }

    [Fact]
    public async Task Clients_of_the_loopback_server_should_share_the_spec_store()
    {
        var server = await StartServerAsync();
        var writer = await ConnectClientAsync();
        var reader = await ConnectClientAsync();

        var revision = await writer.PutAsync([new KeyValue("remote/1"u8.ToArray(), "from a client"u8.ToArray())]);

        Assert.Equal("127.0.0.1", server.Uri.Host);
        Assert.Same(server, await StartServerAsync());
        var change = await ExpectChangeAsync("remote/");
        Assert.Equal((revision, "from a client"), (change.Revision, change.Value));
        Assert.Equal("from a client", System.Text.Encoding.UTF8.GetString((await reader.GetAsync("remote/1"u8.ToArray()))!));
    }

    [Fact]
    public async Task Disposing_the_harness_should_close_its_clients_and_leave_the_system_running()
    {
        var client = await ConnectClientAsync();

        await Harness.DisposeAsync();

        Assert.Equal(ConnectionState.Closed, client.State);
        Assert.False(Sys.WhenTerminated.IsCompleted);
        Assert.Equal(0, await Store.GetRevisionAsync());
    }
}

/// <summary>The harness on an actor system the app made itself, outside <see cref="MwgSpec"/>.</summary>
public sealed class MwgHarnessOnAnAppSystemTests : IAsyncLifetime
{
    private readonly ActorSystem _system = ActorSystem.Create("app", "akka.loglevel = WARNING");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _system.Terminate();

    [Fact]
    public async Task The_harness_should_attach_to_MwgActors_the_app_started()
    {
        var mwg = _system.UseMwgActors(o => o.UseInMemoryStore());
        await using var harness = new MwgHarness(_system);
        await harness.StartAsync();

        await mwg.Store.PutAsync([new("app/1"u8.ToArray(), "v"u8.ToArray())]);

        Assert.Same(mwg, harness.Mwg);
        Assert.Equal("v", (await harness.ExpectChangeAsync("app/")).Value);
        Assert.Single(harness.Changes);
    }
}
