using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

public sealed class SubscriptionEndToEndTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Put_should_notify_subscriber_of_matching_prefix_with_the_revision_and_not_others()
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(_server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri);
        var subscribed = Assert.IsType<Subscribed>(await subscriber.SendAsync(
            new Subscribe(subscriber.NextId(), [Utf8("users/")], null, IncludeValues: true)));

        var outside = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Utf8("orders/1"), Utf8("x"))])));
        var inside = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(), [new KeyValue(Utf8("users/1"), Utf8("ada"))])));

        var notification = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(subscribed.SubscriptionId, notification.SubscriptionId);
        Assert.Equal(inside.Revision, notification.Revision);
        Assert.Equal(outside.Revision + 1, inside.Revision);
        var change = Assert.Single(notification.Changes);
        Assert.Equal("users/1", Encoding.UTF8.GetString(change.Key));
        Assert.Equal("ada", Encoding.UTF8.GetString(change.Value!));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
