using System.Net.Http.Json;
using MwgActors.Protocol;
using MwgActors.Storage;
using static MwgActors.Client.Tests.Fixtures;

namespace MwgActors.Client.Tests;

/// <summary>The offline queue, the local cache and the IKeyValueStore adapter.</summary>
public sealed class OfflineQueueAndCacheTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _proxy = new FaultProxy(_server.Port);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Writes_held_while_disconnected_should_be_sent_once_in_order_on_reconnect()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_proxy.Uri) with { OfflineQueue = new OfflineQueueOptions { Enabled = true } });
        await using var subscription = await client.SubscribeAsync([Utf8("q/")]);
        await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();
        _proxy.Refuse();
        await client.WaitForStateAsync(ConnectionState.Reconnecting);

        var first = client.PutAsync([Pair("q/1", "a")]);
        var second = client.RemoveAsync([Utf8("q/1")]);
        var third = client.PutAsync([Pair("q/1", "c")]);
        Assert.Equal(3, client.QueuedWrites);
        Assert.False(first.IsCompleted);
        _proxy.Accept();

        var revisions = await Task.WhenAll(first, second, third);
        Assert.Equal([revisions[0], revisions[0] + 1, revisions[0] + 2], revisions);
        Assert.Equal("c", Text(await client.GetAsync(Utf8("q/1"))));
        Assert.Equal(0, client.QueuedWrites);
        foreach (var revision in revisions)
        {
            Assert.Equal(revision, Assert.IsType<ChangesReceived>(await events.NextAsync()).Revision);
        }
    }

    [Fact]
    public async Task The_offline_queue_should_refuse_beyond_its_size_and_expire_writes_older_than_its_max_age()
    {
        var queue = new OfflineQueueOptions { Enabled = true, MaxWrites = 2, MaxAge = TimeSpan.FromMilliseconds(200) };
        await using var client = await MwgClient.ConnectAsync(Options(_proxy.Uri) with { OfflineQueue = queue });
        _proxy.Refuse();
        await client.WaitForStateAsync(ConnectionState.Reconnecting);

        var held = new[] { client.PutAsync([Pair("x/1", "a")]), client.PutAsync([Pair("x/2", "b")]) };
        var full = await Assert.ThrowsAsync<MwgClientException>(() => client.PutAsync([Pair("x/3", "c")]));
        var expired = await Assert.ThrowsAsync<MwgClientException>(() => held[0]);

        Assert.Equal(ErrorCode.Overloaded, full.Code);
        Assert.Equal(ErrorCode.Timeout, expired.Code);
        Assert.False(expired.OutcomeUnknown);
        await Assert.ThrowsAsync<MwgClientException>(() => held[1]);
        Assert.Equal(0, client.QueuedWrites);
        _proxy.Accept();
        await client.WaitUntilConnectedAsync();
        Assert.Equal([null, null], await client.GetAsync([Utf8("x/1"), Utf8("x/2")])); // expired writes are never sent
    }

    [Fact]
    public async Task The_cache_should_serve_repeated_reads_and_drop_entries_another_client_changes()
    {
        await using var other = await MwgClient.ConnectAsync(Options(_server.Uri));
        await other.PutAsync([Pair("c/1", "old")]);
        await using var client = await MwgClient.ConnectAsync(Options(_proxy.Uri) with { Cache = new CacheOptions { Enabled = true } });

        Assert.Equal("old", Text(await client.GetAsync(Utf8("c/1"))));
        Assert.Null(await client.GetAsync(Utf8("c/missing")));
        Assert.Equal(2, client.CachedEntries);
        _proxy.Pause(); // served without the server
        Assert.Equal("old", Text(await client.GetAsync(Utf8("c/1"))));
        Assert.Null(await client.GetAsync(Utf8("c/missing")));
        _proxy.Resume();

        var invalidated = NextCacheEventAsync(client);
        await other.PutAsync([Pair("c/1", "new")]);
        await invalidated;

        Assert.Equal(1, client.CachedEntries);
        Assert.Equal("new", Text(await client.GetAsync(Utf8("c/1"))));
    }

    [Fact]
    public async Task The_cache_should_give_read_your_writes_and_drop_everything_on_a_forced_reload()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri) with { Cache = new CacheOptions { Enabled = true, MaxEntries = 2 } });
        var notified = NextCacheEventAsync(client);
        await client.PutAsync([Pair("y/1", "a"), Pair("y/2", "b"), Pair("y/3", "c")]);
        await notified; // else its notification, arriving during the read, rightly keeps the reply out of the cache
        await client.GetAsync([Utf8("y/1"), Utf8("y/2"), Utf8("y/3")]);
        Assert.Equal(2, client.CachedEntries); // bounded

        await client.PutAsync([Pair("y/2", "mine")]);
        Assert.Equal("mine", Text(await client.GetAsync(Utf8("y/2"))));

        var reloaded = NextCacheEventAsync(client, e => e is ReloadRequested);
        using var http = new HttpClient { BaseAddress = _server.Server.HttpUri };
        using var response = await http.PostAsJsonAsync("/admin/reload", new { prefixes = new[] { "y/" }, encoding = "utf8" });
        response.EnsureSuccessStatusCode();
        await reloaded;
        Assert.Equal(0, client.CachedEntries);
    }

    [Fact]
    public async Task The_remote_store_should_behave_like_a_local_store_for_gets_and_writes()
    {
        var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        var store = new RemoteKeyValueStore(client, ownsClient: true);

        WriteAndReadAsALocalStore(store);
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Get([Utf8("kv/1")]));
        Assert.Equal(ConnectionState.Closed, client.State);
    }

    /// <summary>Code written against the interface, unaware the store is remote.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The test is that code typed against the interface works.")]
    private static void WriteAndReadAsALocalStore(IKeyValueStore store)
    {
        store.Write(new KeyValueBatch().Put(Utf8("kv/1"), Utf8("a")).Put(Utf8("kv/2"), Utf8("b")).Remove(Utf8("kv/2")).Put(Utf8("kv/3"), []));

        var values = store.Get([Utf8("kv/1"), Utf8("kv/2"), Utf8("kv/3")]);

        Assert.Equal("a", Text(values[0]));
        Assert.Null(values[1]);
        Assert.Empty(Assert.IsType<byte[]>(values[2]));
        Assert.True(store.AppliedRevision > 0);
        Assert.Throws<NotSupportedException>(() => store.ScanPrefix(Utf8("kv/")));
    }

    private static Task NextCacheEventAsync(MwgClient client, Func<SubscriptionEvent, bool>? match = null)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.CacheWatch!.EventReceived += (_, e) =>
        {
            if (match?.Invoke(e) ?? true)
            {
                seen.TrySetResult();
            }
        };
        return seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
