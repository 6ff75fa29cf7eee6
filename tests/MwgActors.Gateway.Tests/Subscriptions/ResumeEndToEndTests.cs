using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A subscriber that went away resubscribes from the last revision it saw and gets every change it missed exactly
/// once, in revision order, then the live stream: on the same server, and across a restart on the same data folder.
/// </summary>
public sealed class ResumeEndToEndTests
{
    private const string Prefix = "r/";

    [Fact]
    public async Task Resubscribe_should_replay_every_missed_change_once_and_in_order()
    {
        await using var server = await TestServer.StartAsync();
        var lastSeen = await SeeOneChangeAndLeaveAsync(server.Uri);

        var batches = Batches(0, 1000);
        var revisions = await BulkWriter.PutAllAsync(server.Uri, batches);

        await ResumeAndExpectAsync(server.Uri, lastSeen, [.. Expected(batches, revisions)], revisions[^1]);
    }

    [Fact]
    public async Task Resubscribe_after_a_server_restart_on_the_same_folder_should_replay_every_missed_change()
    {
        await using var first = await TestServer.StartAsync();
        var lastSeen = await SeeOneChangeAndLeaveAsync(first.Uri);
        var before = Batches(0, 500);
        var beforeRevisions = await BulkWriter.PutAllAsync(first.Uri, before);
        var dataPath = await first.StopKeepingDataAsync();

        await using var second = await TestServer.StartAsync(dataPath: dataPath);
        var after = Batches(500, 500);
        var afterRevisions = await BulkWriter.PutAllAsync(second.Uri, after);

        Assert.True(afterRevisions[0] > beforeRevisions[^1], "revisions continue after the restart");
        await ResumeAndExpectAsync(second.Uri, lastSeen, [.. Expected(before, beforeRevisions), .. Expected(after, afterRevisions)], afterRevisions[^1]);
    }

    [Fact]
    public async Task A_replay_many_times_the_outbound_queue_should_stream_chunk_by_chunk_as_the_socket_drains()
    {
        // Chunks of 8 revisions: each next one is read only once the send loop signals the queue drained to 4 frames.
        await using var server = await TestServer.StartAsync("""
            mwg.connection.outbound-max-frames = 16
            mwg.connection.max-requests-in-flight = 8
            """);
        var lastSeen = await SeeOneChangeAndLeaveAsync(server.Uri);

        var batches = Batches(0, 300);
        var revisions = await BulkWriter.PutAllAsync(server.Uri, batches);

        await ResumeAndExpectAsync(server.Uri, lastSeen, [.. Expected(batches, revisions)], revisions[^1]);
    }

    /// <summary>Subscribes, sees one change, and disconnects; returns the revision it saw last.</summary>
    private static async Task<long> SeeOneChangeAndLeaveAsync(Uri uri)
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(uri);
        Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [Utf8(Prefix)], null, IncludeValues: true)));
        var put = Assert.IsType<PutResult>(await subscriber.SendAsync(new Put(subscriber.NextId(), [new KeyValue(Utf8(Prefix + "seen"), Utf8("x"))])));
        var notification = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(put.Revision, notification.Revision);
        return notification.Revision;
    }

    private static async Task ResumeAndExpectAsync(Uri uri, long lastSeen, IReadOnlyList<(long Revision, string Key, string Value)> expected, long latest)
    {
        await using var subscriber = await ProtocolClient.ConnectAsync(uri);
        var subscribed = Assert.IsType<Subscribed>(await subscriber.SendAsync(new Subscribe(subscriber.NextId(), [Utf8(Prefix)], lastSeen, IncludeValues: true)));

        // The replay is pushed before the Subscribed reply, so all of it is queued by now.
        var received = new List<(long Revision, string Key, string Value)>();
        while (subscriber.Pushes.TryRead(out var push))
        {
            var notification = Assert.IsType<ChangeNotification>(push);
            Assert.Equal(subscribed.SubscriptionId, notification.SubscriptionId);
            received.AddRange(notification.Changes.Select(c => (notification.Revision, Text(c.Key), Text(c.Value!))));
        }

        Assert.Equal(expected.Count, received.Count);
        Assert.Equal(expected, received);
        Assert.Equal(latest, subscribed.CurrentRevision);

        // And it is live: the next change arrives once, after the replay.
        var live = Assert.IsType<PutResult>(await subscriber.SendAsync(new Put(subscriber.NextId(), [new KeyValue(Utf8(Prefix + "live"), Utf8("y"))])));
        var next = await subscriber.NextPushAsync<ChangeNotification>();
        Assert.Equal(live.Revision, next.Revision);
    }

    /// <summary>
    /// Batch i writes r/i and other/i, except every tenth, which writes only other/i: a revision with nothing
    /// under the prefix must not be replayed.
    /// </summary>
    private static List<IReadOnlyList<KeyValue>> Batches(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => (IReadOnlyList<KeyValue>)(i % 10 == 9
            ? [new KeyValue(Utf8($"other/{i}"), Utf8($"o{i}"))]
            : [new KeyValue(Utf8($"other/{i}"), Utf8($"o{i}")), new KeyValue(Utf8($"{Prefix}{i:D4}"), Utf8($"v{i}"))]))];

    private static IEnumerable<(long Revision, string Key, string Value)> Expected(List<IReadOnlyList<KeyValue>> batches, long[] revisions) =>
        batches.Select((batch, i) => (Batch: batch, Revision: revisions[i]))
            .SelectMany(b => b.Batch
                .Where(p => Text(p.Key).StartsWith(Prefix, StringComparison.Ordinal))
                .Select(p => (b.Revision, Text(p.Key), Text(p.Value))));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
