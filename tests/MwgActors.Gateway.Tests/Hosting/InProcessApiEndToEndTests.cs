using System.Text;
using MwgActors.Protocol;
using MwgActors.TestKit;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The in-process API and remote clients share one store: each sees the other's writes. On the TestKit's
/// <see cref="MwgSpec"/>: the spec's system serves a loopback websocket endpoint.
/// </summary>
public sealed class InProcessApiEndToEndTests : MwgSpec
{
    [Theory]
    [InlineData(Dialect.G1)]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task Api_should_see_a_client_write_as_soon_as_it_is_acknowledged(Dialect dialect)
    {
        await using var client = await ProtocolClient.ConnectAsync((await StartServerAsync()).Uri, dialect);

        Assert.True(Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8("k/1"), Utf8("one"))]))).Ok);
        var afterPut = await GetAsync("k/1");
        Assert.True(Assert.IsType<RemoveResult>(await client.SendAsync(new Remove(client.NextId(), [Utf8("k/1")]))).Ok);
        var afterRemove = await GetAsync("k/1");

        Assert.Equal("one", afterPut);
        Assert.Null(afterRemove);
    }

    [Fact]
    public async Task Api_revision_should_match_the_revision_a_client_was_told()
    {
        await using var client = await ProtocolClient.ConnectAsync((await StartServerAsync()).Uri);

        var put = Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8("k"), Utf8("v"))])));

        Assert.Equal(put.Revision, await Store.GetRevisionAsync());
        Assert.Equal(put.Revision, (await ExpectChangeAsync("k")).Revision);
    }

    [Fact]
    public async Task Api_writes_should_notify_remote_subscribers_with_their_revision()
    {
        await using var subscriber = await ProtocolClient.ConnectAsync((await StartServerAsync()).Uri);
        var subscribed = Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [Utf8("api/")], null, IncludeValues: true)));
        var store = Store;

        var put = await store.PutAsync([new KeyValuePair<byte[], byte[]>(Utf8("api/1"), Utf8("one")), new KeyValuePair<byte[], byte[]>(Utf8("elsewhere"), Utf8("x"))]);
        var removed = await store.RemoveAsync([Utf8("api/1")]);

        var first = await subscriber.NextPushAsync<ChangeNotification>(TimeSpan.FromSeconds(5));
        Assert.Equal(subscribed.SubscriptionId, first.SubscriptionId);
        Assert.Equal(put, first.Revision);
        var written = Assert.Single(first.Changes);
        Assert.Equal(("api/1", false, "one"), (Text(written.Key), written.Removed, Text(written.Value!)));

        var second = await subscriber.NextPushAsync<ChangeNotification>(TimeSpan.FromSeconds(5));
        Assert.Equal(removed, second.Revision);
        var gone = Assert.Single(second.Changes);
        Assert.Equal(("api/1", true), (Text(gone.Key), gone.Removed));

        // A remote client reads what the API wrote.
        Assert.IsType<PutResult>(await subscriber.SendAsync(new Put(subscriber.NextId(), [new KeyValue(Utf8("api/2"), Utf8("two"))])));
        await store.PutAsync([new KeyValuePair<byte[], byte[]>(Utf8("api/3"), Utf8("three"))]);
        var read = Assert.IsType<GetResult>(await subscriber.SendAsync(new Get(subscriber.NextId(), [Utf8("api/2"), Utf8("api/3")])));
        Assert.Equal(["two", "three"], read.Values.Select(v => Text(v!)));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
