using MwgActors.Protocol;
using static MwgActors.Client.Tests.Fixtures;

namespace MwgActors.Client.Tests;

/// <summary>Every operation of the client against a real server.</summary>
public sealed class ClientOperationTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Put_get_and_remove_should_round_trip_batches_with_revisions()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        Assert.Equal(ConnectionState.Connected, client.State);

        var put = await client.PutAsync([Pair("a/1", "one"), Pair("a/2", "two"), new KeyValue(Utf8("a/#"), [0, 35, 255])]);
        var values = await client.GetAsync([Utf8("a/1"), Utf8("a/missing"), Utf8("a/2"), Utf8("a/#")]);
        var removed = await client.RemoveAsync([Utf8("a/1")]);

        Assert.True(put > 0);
        Assert.Equal(put + 1, removed);
        Assert.Equal(["one", "<missing>", "two"], values.Take(3).Select(Text));
        Assert.Equal([0, 35, 255], values[3]);
        Assert.Null(await client.GetAsync(Utf8("a/1")));
        Assert.Equal(removed, client.LastSeenRevision);
    }

    [Fact]
    public async Task Lock_should_lease_a_prefix_once_and_unlock_should_free_it()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        await using var other = await MwgClient.ConnectAsync(Options(_server.Uri));

        var lease = await client.LockAsync();
        var again = await client.LockAsync();
        var otherLease = await other.LockAsync();

        Assert.Same(lease, again);
        Assert.False(lease.Token.IsEmpty);
        Assert.NotEqual(lease.Prefix, otherLease.Prefix);
        await client.UnlockAsync();
        Assert.Null(client.Lease);
        await client.UnlockAsync(); // nothing held: nothing to do
    }

    [Fact]
    public async Task Subscribe_should_deliver_changes_under_its_prefixes_only_with_values_when_asked()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        await using var subscription = await client.SubscribeAsync([Utf8("s/")], new SubscribeOptions { IncludeValues = true });
        await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();

        await client.PutAsync([Pair("other/1", "x")]);
        var revision = await client.PutAsync([Pair("s/1", "v1"), Pair("other/2", "y")]);
        var removedAt = await client.RemoveAsync([Utf8("s/1")]);

        var first = Assert.IsType<ChangesReceived>(await events.NextAsync());
        Assert.Equal(revision, first.Revision);
        var change = Assert.Single(first.Changes);
        Assert.Equal("s/1", Text(change.Key));
        Assert.Equal("v1", Text(change.Value));
        var second = Assert.IsType<ChangesReceived>(await events.NextAsync());
        Assert.Equal(removedAt, second.Revision);
        Assert.True(Assert.Single(second.Changes).Removed);
        Assert.Equal(removedAt, subscription.LastRevision);
    }

    [Fact]
    public async Task Subscribe_after_a_revision_should_replay_what_followed_it()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        var first = await client.PutAsync([Pair("r/1", "a")]);
        var second = await client.PutAsync([Pair("r/2", "b")]);
        var third = await client.PutAsync([Pair("r/3", "c")]);

        await using var subscription = await client.SubscribeAsync([Utf8("r/")], new SubscribeOptions { AfterRevision = first });
        await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();

        Assert.Equal(second, Assert.IsType<ChangesReceived>(await events.NextAsync()).Revision);
        Assert.Equal(third, Assert.IsType<ChangesReceived>(await events.NextAsync()).Revision);
    }

    [Fact]
    public async Task Disposing_a_subscription_should_end_its_events_and_stop_notifications()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        var subscription = await client.SubscribeAsync([Utf8("d/")]);
        var kept = await client.SubscribeAsync([Utf8("d/")]);
        await subscription.DisposeAsync();
        var revision = await client.PutAsync([Pair("d/1", "x")]);

        await using var keptEvents = kept.ReadAllAsync().GetAsyncEnumerator();
        Assert.Equal(revision, Assert.IsType<ChangesReceived>(await keptEvents.NextAsync()).Revision);
        Assert.Empty(await subscription.ReadAllAsync().ToListAsync());
    }

    [Fact]
    public async Task Server_errors_should_surface_with_their_code_and_retryability()
    {
        await using var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        var tooLong = new byte[client.ServerLimits.MaxKeyBytes + 1];

        var error = await Assert.ThrowsAsync<MwgClientException>(() => client.GetAsync([tooLong]));

        Assert.Equal(ErrorCode.KeyTooLarge, error.Code);
        Assert.False(error.IsRetryable);
        Assert.Equal(ConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_request_should_time_out_when_the_server_does_not_answer_and_honour_cancellation()
    {
        await using var proxy = new FaultProxy(_server.Port);
        await using var client = await MwgClient.ConnectAsync(Options(proxy.Uri) with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        proxy.Pause();

        var timedOut = await Assert.ThrowsAsync<MwgClientException>(() => client.GetAsync([Utf8("t/1")]));
        using var cancel = new CancellationTokenSource();
        var cancelled = client.GetAsync([Utf8("t/1")], cancel.Token);
        await cancel.CancelAsync();

        Assert.Equal(ErrorCode.Timeout, timedOut.Code);
        Assert.True(timedOut.IsRetryable);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        proxy.Resume();
        Assert.True(await client.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Requests_beyond_the_in_flight_bound_should_wait_for_a_slot()
    {
        await using var proxy = new FaultProxy(_server.Port);
        await using var client = await MwgClient.ConnectAsync(Options(proxy.Uri) with { MaxRequestsInFlight = 2 });
        proxy.Pause();
        var first = client.PingAsync();
        var second = client.PingAsync();
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        // The third cannot take a slot: it is cancelled while waiting for one.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PingAsync(shortWait.Token));
        proxy.Resume();
        await Task.WhenAll(first, second);
        await client.PingAsync();
    }

    [Fact]
    public async Task A_write_while_disconnected_without_offline_queue_should_fail_at_once_as_retryable()
    {
        await using var proxy = new FaultProxy(_server.Port);
        await using var client = await MwgClient.ConnectAsync(Options(proxy.Uri));
        proxy.Refuse();
        await client.WaitForStateAsync(ConnectionState.Reconnecting);

        var error = await Assert.ThrowsAsync<MwgClientException>(() => client.PutAsync([Pair("w/1", "x")]));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.True(error.IsRetryable);
        Assert.False(error.OutcomeUnknown);
    }

    [Fact]
    public async Task A_read_while_disconnected_should_wait_for_the_reconnect()
    {
        await using var proxy = new FaultProxy(_server.Port);
        await using var client = await MwgClient.ConnectAsync(Options(proxy.Uri));
        await client.PutAsync([Pair("read/1", "v")]);
        proxy.Refuse();
        await client.WaitForStateAsync(ConnectionState.Reconnecting);

        var read = client.GetAsync(Utf8("read/1"));
        proxy.Accept();

        Assert.Equal("v", Text(await read));
    }

    [Fact]
    public async Task Connect_should_fail_when_no_server_answers_and_state_should_close_on_dispose()
    {
        await using var proxy = new FaultProxy(_server.Port);
        proxy.Refuse();

        var error = await Assert.ThrowsAsync<MwgClientException>(() =>
            MwgClient.ConnectAsync(Options(proxy.Uri) with { ConnectTimeout = TimeSpan.FromMilliseconds(300) }));
        var client = await MwgClient.ConnectAsync(Options(_server.Uri));
        var states = client.WatchStateAsync().ToListAsync();
        await client.DisposeAsync();

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.Equal([ConnectionState.Connected, ConnectionState.Closed], await states);
        await Assert.ThrowsAsync<MwgClientException>(() => client.GetAsync([Utf8("x")]));
    }

    [Fact]
    public void Options_should_refuse_bad_settings()
    {
        Assert.Throws<ArgumentException>(() => new MwgClientOptions { Url = new Uri("http://localhost/") }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options(_server.Uri) with { MaxRequestsInFlight = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (Options(_server.Uri) with { ReconnectMaxDelay = TimeSpan.FromMilliseconds(1) }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Options(_server.Uri) with { ReconnectJitter = 2 }).Validate());
    }
}
