using static MwgActors.Client.Tests.Fixtures;

namespace MwgActors.Client.Tests;

/// <summary>Exactly-once, in-order delivery across server restarts and network cuts; lease reclaim.</summary>
public sealed class ReconnectTests : IAsyncLifetime
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
    public async Task A_subscriber_should_see_every_change_once_in_order_while_the_server_restarts_under_1000_writes()
    {
        await using var writer = await MwgClient.ConnectAsync(Options(_proxy.Uri));
        await using var reader = await MwgClient.ConnectAsync(Options(_proxy.Uri));
        await using var subscription = await reader.SubscribeAsync([Utf8("b/")]);
        var seen = CollectAsync(subscription);

        var written = await WriteBatchesAsync(writer, 1000, async i =>
        {
            if (i is 300 or 700)
            {
                _proxy.Refuse();
                await _server.RestartAsync();
                _proxy.TargetPort = _server.Port;
                _proxy.Accept();
            }
        });

        AssertExactlyOnceInOrder(await seen.UntilAsync(written[^1]), written, subscription.LastRevision);
    }

    [Fact]
    public async Task A_subscriber_should_see_every_change_once_in_order_across_20_network_cuts_at_random_moments()
    {
        await using var writer = await MwgClient.ConnectAsync(Options(_proxy.Uri));
        await using var reader = await MwgClient.ConnectAsync(Options(_proxy.Uri));
        await using var subscription = await reader.SubscribeAsync([Utf8("b/")], new SubscribeOptions { IncludeValues = true });
        var seen = CollectAsync(subscription);
        using var stop = new CancellationTokenSource();
        var cutter = Task.Run(async () =>
        {
            while (_proxy.Cuts < 20)
            {
                await Task.Delay(Random.Shared.Next(5, 60));
                _proxy.CutAll();
            }
        });

        var written = await WriteBatchesAsync(writer, 1000, _ => Task.CompletedTask, until: cutter);
        await cutter;

        Assert.Equal(20, _proxy.Cuts);
        AssertExactlyOnceInOrder(await seen.UntilAsync(written[^1]), written, subscription.LastRevision);
    }

    [Fact]
    public async Task A_held_prefix_should_be_reclaimed_with_its_token_after_a_reconnect()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_proxy.Uri));
        await using var other = await MwgClient.ConnectAsync(Options(_server.Uri));
        var lease = await client.LockAsync();
        var reconnected = client.WaitForStateAsync(ConnectionState.Reconnecting);

        _proxy.CutAll();
        await reconnected;
        await client.WaitUntilConnectedAsync();
        var otherLease = await other.LockAsync();

        Assert.Equal(lease.Prefix, client.Lease?.Prefix);
        Assert.NotEqual(lease.Prefix, otherLease.Prefix);
        await client.UnlockAsync(); // it holds the prefix on the new connection
        Assert.Null(client.Lease);
    }

    [Fact]
    public async Task A_resume_point_older_than_the_retained_history_should_give_the_reload_signal()
    {
        await using var server = await TestServer.StartAsync("""
            mwg.storage.retain-revisions = 5
            mwg.storage.snapshot-every = 10
            """);
        await using var client = await MwgClient.ConnectAsync(Options(server.Uri));
        var first = await client.PutAsync([Pair("old/0", "v")]);
        for (var i = 1; i < 40; i++)
        {
            await client.PutAsync([Pair($"old/{i}", "v")]);
        }

        // The log is trimmed in the background after a snapshot: resubscribe until the signal comes.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            await using var subscription = await client.SubscribeAsync([Utf8("old/")], new SubscribeOptions { AfterRevision = first });
            await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();
            if (await events.NextAsync() is ReloadEverything reload)
            {
                Assert.Equal(client.LastSeenRevision, reload.Revision);
                var live = await client.PutAsync([Pair("old/live", "v")]);
                Assert.Equal(live, Assert.IsType<ChangesReceived>(await events.NextAsync()).Revision);
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the change log was not trimmed within 5 s");
        }
    }

    /// <summary>Writes one key per batch, retrying what failed retryably; returns every revision the server gave.</summary>
    private static async Task<List<long>> WriteBatchesAsync(MwgClient writer, int count, Func<int, Task> before, Task? until = null)
    {
        var revisions = new List<long>();
        for (var i = 0; i < count || until is { IsCompleted: false }; i++)
        {
            await before(i);
            while (true)
            {
                try
                {
                    revisions.Add(await writer.PutAsync([Pair($"b/{i}", $"v{i}")]));
                    break;
                }
                catch (MwgClientException ex) when (ex.IsRetryable)
                {
                    // Lost with its connection (maybe applied: then the retry is a second revision) or not connected.
                    await writer.WaitUntilConnectedAsync();
                }
            }
        }

        return revisions;
    }

    private static void AssertExactlyOnceInOrder(List<ChangesReceived> seen, List<long> written, long lastRevision)
    {
        var revisions = seen.Select(c => c.Revision).ToList();
        var first = revisions[0];
        Assert.Equal(Enumerable.Range(0, revisions.Count).Select(i => first + i), revisions); // contiguous, once each
        Assert.Subset(revisions.ToHashSet(), written.ToHashSet()); // every acknowledged write was seen
        Assert.Equal(written[^1], lastRevision);
        Assert.DoesNotContain(seen, c => c.Changes.Count != 1);
    }

    private static Collector CollectAsync(ClientSubscription subscription) => new(subscription);

    private sealed class Collector
    {
        private readonly List<ChangesReceived> _seen = [];
        private readonly System.Threading.Lock _lock = new();
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _target = long.MaxValue;

        public Collector(ClientSubscription subscription) => _ = Task.Run(async () =>
        {
            await foreach (var e in subscription.ReadAllAsync())
            {
                var change = Assert.IsType<ChangesReceived>(e); // never a reload: the history is all kept
                lock (_lock)
                {
                    _seen.Add(change);
                    if (change.Revision >= _target)
                    {
                        _reached.TrySetResult();
                    }
                }
            }
        });

        public async Task<List<ChangesReceived>> UntilAsync(long revision)
        {
            lock (_lock)
            {
                _target = revision;
                if (_seen.Count > 0 && _seen[^1].Revision >= revision)
                {
                    _reached.TrySetResult();
                }
            }

            await _reached.Task.WaitAsync(TimeSpan.FromSeconds(20));
            lock (_lock)
            {
                return [.. _seen];
            }
        }
    }
}
