using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 1: subscribe prefixes cannot exhaust the server's memory. Over real sockets: a subscribe of
/// thousands of ~1 KB prefixes is refused (TooManyPrefixes) and the connection goes on; subscriptions that each fit
/// but together pass the connection's prefix bytes are refused; past the server-wide subscription memory, any
/// connection's subscribe is refused Overloaded (retryable) until others end.
/// </summary>
public sealed class SubscriptionBudgetEndToEndTests : Akka.TestKit.Xunit2.TestKit
{
    [Theory]
    [InlineData(Dialect.Extended)]
    [InlineData(Dialect.Json)]
    public async Task A_subscribe_of_thousands_of_kilobyte_prefixes_should_be_refused_and_the_connection_go_on(Dialect dialect)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await ProtocolClient.ConnectAsync(server.Uri, dialect);

        // ~2 MB in one frame: within max-frame-size and max-keys-per-batch, far over the prefix budgets.
        var reply = await client.SendAsync(new Subscribe(client.NextId(), Prefixes("flood", 2000, 1000), null, false));

        Assert.Equal(ErrorCode.TooManyPrefixes, Assert.IsType<Error>(reply).Code);
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
        Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8("alice/")], null, false)));
        Assert.Equal(1, await SubscriptionsAsync(server));
    }

    [Fact]
    public async Task Subscriptions_that_each_fit_but_together_pass_the_connections_prefix_bytes_should_be_refused()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await ProtocolClient.ConnectAsync(server.Uri);

        // 16 prefixes of 1 KB each: four such subscriptions fill the default 64k of prefix bytes per connection.
        var ids = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), Prefixes($"s{i}", 16, 1024), null, false))).SubscriptionId);
        }

        var refused = await client.SendAsync(new Subscribe(client.NextId(), Prefixes("s4", 16, 1024), null, false));
        Assert.Equal(ErrorCode.TooManyPrefixes, Assert.IsType<Error>(refused).Code);
        Assert.False(ErrorCode.TooManyPrefixes.IsRetryable());
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));

        // Giving one back makes room again.
        Assert.IsType<Unsubscribed>(await client.SendAsync(new Unsubscribe(client.NextId(), ids[0])));
        Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), Prefixes("s4", 16, 1024), null, false)));
        Assert.Equal(4, await SubscriptionsAsync(server));
    }

    [Fact]
    public async Task Past_the_server_wide_subscription_memory_every_connection_should_be_refused_Overloaded_until_others_end()
    {
        // One subscription of 16 prefixes of 1 KB is estimated at about 53 KB: two fit, a third does not.
        await using var server = await TestServer.StartAsync("mwg.subscriptions.max-memory = 120k");
        await using var first = await ProtocolClient.ConnectAsync(server.Uri);
        await using var second = await ProtocolClient.ConnectAsync(server.Uri, Dialect.Json);
        await using var third = await ProtocolClient.ConnectAsync(server.Uri);
        Assert.IsType<Subscribed>(await first.SendAsync(new Subscribe(first.NextId(), Prefixes("a", 16, 1024), null, false)));
        var secondId = Assert.IsType<Subscribed>(await second.SendAsync(new Subscribe(second.NextId(), Prefixes("b", 16, 1024), null, false))).SubscriptionId;

        var refused = Assert.IsType<Error>(await third.SendAsync(new Subscribe(third.NextId(), Prefixes("c", 16, 1024), null, false)));
        Assert.Equal(ErrorCode.Overloaded, refused.Code);
        Assert.True(refused.Code.IsRetryable());
        Assert.IsType<Pong>(await third.SendAsync(new Ping(third.NextId())));
        var scrape = await MetricsScrape.ReadAsync(server.Server.HttpUri);
        Assert.Equal(2, scrape["mwg_subscriptions"]);
        Assert.InRange(scrape["mwg_subscriptions_memory_bytes"], 2 * 16 * 3 * 1024, 120 * 1024);

        // The first connection closes: its subscription's memory is given back, and the retry is taken.
        await first.DisposeAsync();
        await AwaitAssertAsync(
            async () => Assert.IsType<Subscribed>(await third.SendAsync(new Subscribe(third.NextId(), Prefixes("c", 16, 1024), null, false))),
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(100));

        // Full again, until the second unsubscribes.
        Assert.Equal(ErrorCode.Overloaded, Assert.IsType<Error>(await third.SendAsync(new Subscribe(third.NextId(), Prefixes("d", 16, 1024), null, false))).Code);
        Assert.IsType<Unsubscribed>(await second.SendAsync(new Unsubscribe(second.NextId(), secondId)));
        Assert.IsType<Subscribed>(await third.SendAsync(new Subscribe(third.NextId(), Prefixes("d", 16, 1024), null, false)));
    }

    private static async Task<double> SubscriptionsAsync(TestServer server) =>
        (await MetricsScrape.ReadAsync(server.Server.HttpUri))["mwg_subscriptions"];

    // Distinct prefixes under alice/ (what a token narrowed to alice/ may subscribe), padded to length bytes.
    private static byte[][] Prefixes(string tag, int count, int length) =>
        Enumerable.Range(0, count).Select(i => Utf8($"alice/{tag}/{i:D5}/".PadRight(length, 'x'))).ToArray();

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
