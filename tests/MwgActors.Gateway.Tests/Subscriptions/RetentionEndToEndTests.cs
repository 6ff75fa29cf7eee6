using System.Diagnostics;
using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>A resume point older than what the change log keeps yields ReloadAll for that subscription.</summary>
public sealed class RetentionEndToEndTests : IAsyncLifetime
{
    // A snapshot every 10 revisions lets the log be trimmed to the last 5.
    private const string SmallRetention = """
        mwg.storage.retain-revisions = 5
        mwg.storage.snapshot-every = 10
        """;

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(SmallRetention);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Resume_from_before_the_retention_boundary_should_push_reload_all_for_that_subscription()
    {
        var revisions = await BulkWriter.PutAllAsync(_server.Uri, Batches(40));
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri);
        await using var other = await ProtocolClient.ConnectAsync(_server.Uri);
        var untouched = Assert.IsType<Subscribed>(await other.SendAsync(new Subscribe(other.NextId(), [Utf8("k/")], null, IncludeValues: true)));

        var (subscribed, reload) = await ResumeUntilReloadAsync(client, sinceRevision: revisions[0]);

        Assert.Equal(subscribed.SubscriptionId, reload.SubscriptionId);
        Assert.Equal(revisions[^1], subscribed.CurrentRevision);

        // The subscription is live after the signal, and the other subscriber got no reload.
        var live = Assert.IsType<PutResult>(await client.SendAsync(new Put(client.NextId(), [new KeyValue(Utf8("k/live"), Utf8("v"))])));
        var notification = await client.NextPushAsync<ChangeNotification>();
        Assert.Equal(subscribed.SubscriptionId, notification.SubscriptionId);
        Assert.Equal(live.Revision, notification.Revision);
        var otherNext = Assert.IsType<ChangeNotification>(await other.NextPushAsync());
        Assert.Equal(untouched.SubscriptionId, otherNext.SubscriptionId);
        Assert.Equal(live.Revision, otherNext.Revision);
    }

    [Fact]
    public async Task Resume_from_within_the_retained_revisions_should_replay_without_reload()
    {
        var revisions = await BulkWriter.PutAllAsync(_server.Uri, Batches(40));
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri);

        var subscribed = Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8("k/")], revisions[^3], IncludeValues: true)));

        var replayed = new List<long>();
        while (client.Pushes.TryRead(out var push))
        {
            replayed.Add(Assert.IsType<ChangeNotification>(push).Revision);
        }

        Assert.Equal(revisions[^2..], replayed);
        Assert.Equal(revisions[^1], subscribed.CurrentRevision);
    }

    /// <summary>
    /// The journal is trimmed asynchronously after a snapshot is saved, so the first attempt may still find the old
    /// revisions; each attempt is a full subscribe, and the signal (pushed before the reply) is read when it answers.
    /// </summary>
    private static async Task<(Subscribed Subscribed, ReloadAll Reload)> ResumeUntilReloadAsync(ProtocolClient client, long sinceRevision)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var subscribed = Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8("k/")], sinceRevision, IncludeValues: true)));
            ReloadAll? reload = null;
            while (client.Pushes.TryRead(out var push))
            {
                reload ??= push as ReloadAll;
            }

            if (reload is not null)
            {
                return (subscribed, reload);
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "the change log was not trimmed within 5 s");
            Assert.IsType<Unsubscribed>(await client.SendAsync(new Unsubscribe(client.NextId(), subscribed.SubscriptionId)));
        }
    }

    private static List<IReadOnlyList<KeyValue>> Batches(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (IReadOnlyList<KeyValue>)[new KeyValue(Utf8($"k/{i}"), Utf8($"v{i}"))])];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
