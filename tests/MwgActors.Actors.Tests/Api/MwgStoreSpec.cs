using System.Text;
using System.Threading.Channels;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Tests.Support;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Api;

/// <summary>
/// The in-process API as an embedding app gets it, from <see cref="MwgActorsExtension"/> over RocksDB in a temp
/// folder. Other writers (a remote client's connection) are stood in for by probes talking to the same actors.
/// </summary>
public sealed class MwgStoreSpec : TestKit
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly TempFolder _folder;

    public MwgStoreSpec()
        : this(new TempFolder())
    {
    }

    private MwgStoreSpec(TempFolder folder)
        : base(MwgTestConfig.RocksDb(folder.Path))
    {
        _folder = folder;
        Extension = MwgActorsExtension.Get(Sys);
    }

    private MwgActorsExtension Extension { get; }

    private MwgStore Store => Extension.Store;

    [Fact]
    public async Task Put_get_and_remove_should_return_revisions_and_values_in_key_order()
    {
        Assert.Equal(1, await Store.PutAsync([Pair("a", "1"), Pair("b", "2"), Pair("empty", "")]));

        var values = await Store.GetAsync([Utf8("b"), Utf8("missing"), Utf8("empty"), Utf8("a")]);
        Assert.Equal(["2", null, "", "1"], values.Select(Text).AsEnumerable());

        Assert.Equal(2, await Store.RemoveAsync([Utf8("a")]));
        Assert.Equal(3, await Store.WriteAsync([new BatchOperation(Utf8("b"), null), new BatchOperation(Utf8("c"), Utf8("3"))]));

        Assert.Equal([null, null, "3"], (await Store.GetAsync([Utf8("a"), Utf8("b"), Utf8("c")])).Select(Text).AsEnumerable());
        Assert.Equal(3, await Store.GetRevisionAsync());
    }

    [Fact]
    public async Task A_get_with_maxReplyBytes_should_read_a_repeated_key_once_and_throw_ReplyTooLarge_past_the_bound()
    {
        await Store.PutAsync([Pair("big", new string('x', 1000))]);
        byte[][] ten = [.. Enumerable.Repeat(Utf8("big"), 10)];

        // Unbounded (the default): every position filled. Bounded: ten positions of 1000 bytes pass 9999.
        Assert.All(await Store.GetAsync(ten), v => Assert.Equal(1000, v!.Length));
        Assert.Equal(10, (await Store.GetAsync(ten, minRevision: 0, maxReplyBytes: 10_000)).Count);
        var refused = await Assert.ThrowsAsync<MwgApiException>(() => Store.GetAsync(ten, minRevision: 0, maxReplyBytes: 9_999));
        Assert.Equal(MwgApiError.ReplyTooLarge, refused.Error);
    }

    [Fact]
    public async Task The_store_should_own_its_arrays_so_callers_may_reuse_theirs()
    {
        var key = Utf8("k");
        var value = Utf8("v1");
        var write = Store.PutAsync([new KeyValuePair<byte[], byte[]>(key, value)]);
        value[1] = (byte)'X';
        await write;

        Assert.Equal("v1", Text((await Store.GetAsync([Utf8("k")]))[0]));
    }

    [Fact]
    public async Task A_subscription_should_see_its_own_writes_and_those_of_remote_clients_and_remote_subscribers_its_writes()
    {
        await using var subscription = await Store.SubscribeAsync([Utf8("k/")]);
        var remoteSubscriber = CreateTestProbe();
        Extension.Subscriptions.Tell(new OpenSubscription(7, [Utf8("k/")], null, true, remoteSubscriber.Ref), TestActor);
        await ExpectMsgAsync(new SubscriptionOpened(7, 0));

        await Store.PutAsync([Pair("k/own", "1")]);
        var client = CreateTestProbe();
        Extension.Storage.Tell(new WriteBatch([new BatchOperation(Utf8("other/x"), Utf8("ignored"))]), client.Ref);
        Extension.Storage.Tell(new WriteBatch([new BatchOperation(Utf8("k/remote"), Utf8("2"))]), client.Ref);
        await client.ExpectMsgAsync(new BatchCommitted(2, Changed: 1));
        await client.ExpectMsgAsync(new BatchCommitted(3, Changed: 1));

        // The client's write is visible to the API as soon as the client has its answer.
        Assert.Equal("2", Text((await Store.GetAsync([Utf8("k/remote")]))[0]));

        AssertNotification(await subscription.ReadAsync().AsTask().WaitAsync(Patience), 1, "k/own", "1");
        AssertNotification(await subscription.ReadAsync().AsTask().WaitAsync(Patience), 3, "k/remote", "2");

        var remote = await remoteSubscriber.ExpectMsgAsync<SubscribedKeysChanged>();
        Assert.Equal(1, remote.Revision);
        Assert.Equal("k/own", Encoding.UTF8.GetString(Assert.Single(remote.Changes).Key));
    }

    [Fact]
    public async Task A_subscription_resuming_after_a_revision_should_get_the_later_changes_then_the_live_ones()
    {
        for (var i = 1; i <= 4; i++)
        {
            await Store.PutAsync([Pair($"k/{i}", $"{i}")]);
        }

        await using var subscription = await Store.SubscribeAsync([Utf8("k/")], afterRevision: 2);
        Assert.Equal(4, subscription.CurrentRevision);
        await Store.PutAsync([Pair("k/5", "5")]);

        for (var revision = 3; revision <= 5; revision++)
        {
            AssertNotification(await subscription.ReadAsync().AsTask().WaitAsync(Patience), revision, $"k/{revision}", $"{revision}");
        }
    }

    [Fact]
    public async Task ForceReloadAsync_should_reach_only_the_matching_subscriptions()
    {
        await using var matching = await Store.SubscribeAsync([Utf8("k/")]);
        await using var other = await Store.SubscribeAsync([Utf8("other/")]);

        Assert.Equal(1, await Store.ForceReloadAsync([Utf8("k/1")]));

        var reload = Assert.IsType<ReloadRequired>(await matching.ReadAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("k/1", Encoding.UTF8.GetString(Assert.Single(reload.KeysOrPrefixes)));

        // The other subscription's next message is a later change, not a reload.
        await Store.PutAsync([Pair("other/1", "1")]);
        AssertNotification(await other.ReadAsync().AsTask().WaitAsync(Patience), 1, "other/1", "1");
    }

    [Fact]
    public async Task Disposing_a_subscription_should_end_its_stream()
    {
        var subscription = await Store.SubscribeAsync([Utf8("k/")]);

        await subscription.DisposeAsync();

        await Assert.ThrowsAsync<ChannelClosedException>(() => subscription.ReadAsync().AsTask().WaitAsync(Patience));
    }

    [Theory]
    [InlineData(StorageFailure.WriteFailed, MwgApiError.WriteFailed, false)]
    [InlineData(StorageFailure.ReadFailed, MwgApiError.ReadFailed, true)]
    [InlineData(StorageFailure.Unavailable, MwgApiError.Unavailable, true)]
    public async Task A_storage_failure_should_surface_as_an_MwgApiException(StorageFailure failure, MwgApiError error, bool retryable)
    {
        var storage = CreateTestProbe();
        var store = new MwgStore(Sys, storage.Ref, CreateTestProbe().Ref, new ApiSettings(Patience, 16));

        var put = store.PutAsync([Pair("a", "1")]);
        await storage.ExpectMsgAsync<WriteBatch>();
        storage.Reply(new StorageFailed(failure, retryable));

        var thrown = await Assert.ThrowsAsync<MwgApiException>(() => put);
        Assert.Equal(error, thrown.Error);
        Assert.Equal(retryable, thrown.IsRetryable);
    }

    [Fact]
    public async Task No_answer_within_the_ask_timeout_should_surface_as_a_timeout()
    {
        var storage = CreateTestProbe();
        var store = new MwgStore(Sys, storage.Ref, CreateTestProbe().Ref, new ApiSettings(TimeSpan.FromMilliseconds(200), 16));

        var get = store.GetAsync([Utf8("a")]);
        await storage.ExpectMsgAsync<ReadKeys>();

        var thrown = await Assert.ThrowsAsync<MwgApiException>(() => get);
        Assert.Equal(MwgApiError.Timeout, thrown.Error);
        Assert.True(thrown.IsRetryable);
    }

    [Fact]
    public async Task A_refused_subscription_should_surface_as_unavailable()
    {
        var subscriptions = CreateTestProbe();
        var store = new MwgStore(Sys, CreateTestProbe().Ref, subscriptions.Ref, new ApiSettings(Patience, 16));

        var subscribe = store.SubscribeAsync([Utf8("k/")], afterRevision: 1);
        var request = await subscriptions.ExpectMsgAsync<OpenSubscription>();
        subscriptions.Reply(new OpenSubscriptionFailed(request.SubscriptionId));

        var thrown = await Assert.ThrowsAsync<MwgApiException>(() => subscribe);
        Assert.Equal(MwgApiError.Unavailable, thrown.Error);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }

    private static void AssertNotification(object message, long revision, string key, string value)
    {
        var notification = Assert.IsType<SubscribedKeysChanged>(message);
        Assert.Equal(revision, notification.Revision);
        var change = Assert.Single(notification.Changes);
        Assert.Equal((key, false, value), (Encoding.UTF8.GetString(change.Key), change.Removed, Text(change.Value)));
    }

    private static KeyValuePair<byte[], byte[]> Pair(string key, string value) => new(Utf8(key), Utf8(value));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
