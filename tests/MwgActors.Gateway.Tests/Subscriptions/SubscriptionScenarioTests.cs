using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>Two clients over real sockets: what a subscriber sees of another client's removes and puts.</summary>
public sealed class SubscriptionScenarioTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Remove_should_notify_the_subscriber_with_the_key_marked_removed()
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(_server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri);
        var subscribed = await SubscribeAsync(subscriber, "users/", includeValues: true);
        await PutAsync(writer, "users/1", "ada");
        await subscriber.NextPushAsync<ChangeNotification>();

        var removed = Assert.IsType<RemoveResult>(await writer.SendAsync(new Remove(writer.NextId(), [Utf8("users/1"), Utf8("orders/1")])));

        var notification = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(subscribed.SubscriptionId, notification.SubscriptionId);
        Assert.Equal(removed.Revision, notification.Revision);
        var change = Assert.Single(notification.Changes);
        Assert.Equal("users/1", Text(change.Key));
        Assert.True(change.Removed);
        Assert.Null(change.Value);
    }

    [Fact]
    public async Task Subscription_without_values_should_name_the_changed_keys_only()
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(_server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri);
        await SubscribeAsync(subscriber, "users/", includeValues: false);

        var put = Assert.IsType<PutResult>(await writer.SendAsync(new Put(writer.NextId(),
            [new KeyValue(Utf8("users/1"), Utf8("ada")), new KeyValue(Utf8("users/2"), Utf8("bob"))])));

        var notification = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(put.Revision, notification.Revision);
        Assert.Equal(["users/1", "users/2"], notification.Changes.Select(c => Text(c.Key)));
        Assert.All(notification.Changes, c =>
        {
            Assert.False(c.Removed);
            Assert.Null(c.Value);
        });
    }

    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task Empty_prefix_should_subscribe_to_every_key(Dialect dialect)
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(_server.Uri, dialect);
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri);
        var subscribed = await SubscribeAsync(subscriber, string.Empty, includeValues: true);

        var first = await PutAsync(writer, "a", "1");
        var second = await PutAsync(writer, "zz/deep/key", "2");

        foreach (var (revision, key, value) in new[] { (first, "a", "1"), (second, "zz/deep/key", "2") })
        {
            var notification = await subscriber.NextPushAsync<ChangeNotification>();
            Assert.Equal(subscribed.SubscriptionId, notification.SubscriptionId);
            Assert.Equal(revision, notification.Revision);
            var change = Assert.Single(notification.Changes);
            Assert.Equal(key, Text(change.Key));
            Assert.Equal(value, Text(change.Value!));
        }
    }

    [Fact]
    public async Task Unsubscribe_should_stop_notifications_of_that_subscription_only()
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(_server.Uri);
        await using var writer = await ProtocolClient.ConnectAsync(_server.Uri);
        var users = await SubscribeAsync(subscriber, "users/", includeValues: true);
        var markers = await SubscribeAsync(subscriber, "marker/", includeValues: true);

        Assert.IsType<Unsubscribed>(await subscriber.SendAsync(new Unsubscribe(subscriber.NextId(), users.SubscriptionId)));
        await PutAsync(writer, "users/1", "ada");
        var marker = await PutAsync(writer, "marker/1", "m");

        // Had the users/ subscription still been live, its notification would have come before the marker's.
        var next = Assert.IsType<ChangeNotification>(await subscriber.NextPushAsync());
        Assert.Equal(markers.SubscriptionId, next.SubscriptionId);
        Assert.Equal(marker, next.Revision);
    }

    [Fact]
    public async Task Unsubscribe_of_an_unknown_subscription_should_answer_an_error()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri);

        var reply = await client.SendAsync(new Unsubscribe(client.NextId(), 4242));

        Assert.Equal(ErrorCode.UnknownSubscription, Assert.IsType<Error>(reply).Code);
    }

    private static async Task<Subscribed> SubscribeAsync(ProtocolClient client, string prefix, bool includeValues) =>
        Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8(prefix)], null, includeValues)));

    private static async Task<long> PutAsync(ProtocolClient client, string key, string value)
    {
        var put = Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8(key), Utf8(value))])));
        Assert.True(put.Ok);
        return put.Revision ?? throw new InvalidOperationException("an extended put reply carries its revision");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
