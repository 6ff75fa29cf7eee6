using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 13, as etcd does it: a remove of a key that does not exist changes nothing, so it takes no
/// revision and notifies no one; a batch that changes some keys notifies only those. The JSON reply says how many
/// keys the remove changed; the binary replies are as before (G1 byte-exact).
/// </summary>
public sealed class RemoveChangesEndToEndTests
{
    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task Remove_of_a_missing_key_should_take_no_revision_and_notify_no_one(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync();
        await using var subscriber = await ProtocolClient.ConnectAsync(server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri, dialect);
        Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [Utf8("n/")], null, true)));
        var first = await PutAsync(writer, "n/a");
        Assert.Equal(first, (await subscriber.NextPushAsync<ChangeNotification>()).Revision);

        var removed = Assert.IsType<RemoveResult>(await writer.SendAsync(new Remove(writer.NextId(), [Utf8("n/missing")])));

        // Answered at the current revision; the next write takes the next one, and is the next thing the subscriber sees.
        Assert.True(removed.Ok);
        Assert.Equal(first, removed.Revision);
        Assert.Equal(dialect == Dialect.Json ? 0 : null, removed.Changed);
        var next = await PutAsync(writer, "n/b");
        Assert.Equal(first + 1, next);
        var notification = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(next, notification.Revision);
        Assert.Equal("n/b", Text(Assert.Single(notification.Changes).Key));
    }

    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task A_remove_of_an_existing_and_a_missing_key_should_notify_only_the_existing_one(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync();
        await using var subscriber = await ProtocolClient.ConnectAsync(server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri, dialect);
        Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [Utf8("m/")], null, true)));
        var put = await PutAsync(writer, "m/a");
        await subscriber.NextPushAsync<ChangeNotification>();

        var removed = Assert.IsType<RemoveResult>(await writer.SendAsync(new Remove(writer.NextId(), [Utf8("m/missing"), Utf8("m/a"), Utf8("m/other")])));

        Assert.Equal(put + 1, removed.Revision);
        Assert.Equal(dialect == Dialect.Json ? 1 : null, removed.Changed);
        var notification = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(removed.Revision, notification.Revision);
        var change = Assert.Single(notification.Changes);
        Assert.Equal("m/a", Text(change.Key));
        Assert.True(change.Removed);
    }

    [Fact]
    public async Task G1_remove_of_a_missing_key_should_still_answer_true()
    {
        await using var server = await TestServer.StartAsync("mwg.connection.g1-push-puts = off");
        await using var writer = await ProtocolClient.ConnectAsync(server.Uri, Dialect.G1);

        var removed = Assert.IsType<RemoveResult>(await writer.SendAsync(new Remove(writer.NextId(), [Utf8("g/missing")])));

        Assert.True(removed.Ok);
    }

    private static async Task<long> PutAsync(ProtocolClient writer, string key)
    {
        var put = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Utf8(key), Utf8("v"))])));
        return put.Revision!.Value;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
