using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;
using static MwgActors.Cluster.Tests.ThreeNodeCluster;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// One logical store served by three in-process nodes: writes through any node, notifications on every node,
/// read-your-writes through another node (node C, a gateway only, reads from another node's view), one lease owner
/// per prefix cluster-wide.
/// </summary>
public sealed class ThreeNodeClusterSpec : IClassFixture<ThreeNodeCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ThreeNodeCluster _cluster;

    public ThreeNodeClusterSpec(ThreeNodeCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task Write_through_node_A_should_notify_a_subscriber_on_node_C()
    {
        var prefix = Unique("notify/");
        await using var subscription = await Mwg(_cluster.C).Store.SubscribeAsync([prefix]);

        var key = Concat(prefix, "k1");
        var revision = await Mwg(_cluster.A).Store.PutAsync([Pair(key, "v1")]);

        using var timeout = new CancellationTokenSource(Timeout);
        var change = await subscription.ReadAllAsync(timeout.Token).OfType<SubscribedKeysChanged>().FirstAsync(timeout.Token);
        Assert.Equal(revision, change.Revision);
        var only = Assert.Single(change.Changes);
        Assert.Equal(key, only.Key);
        Assert.Equal("v1", Encoding.UTF8.GetString(only.Value!));
    }

    [Fact]
    public async Task Subscriber_on_node_B_should_receive_every_revision_of_writes_through_all_nodes_in_order()
    {
        var prefix = Unique("order/");
        await using var subscription = await Mwg(_cluster.B).Store.SubscribeAsync([prefix]);
        var revisions = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            var node = _cluster.Nodes[i % 3];
            revisions.Add(await Mwg(node).Store.PutAsync([Pair(Concat(prefix, $"k{i}"), $"v{i}")]));
        }

        using var timeout = new CancellationTokenSource(Timeout);
        var seen = await subscription.ReadAllAsync(timeout.Token).OfType<SubscribedKeysChanged>().Take(revisions.Count).Select(n => n.Revision).ToListAsync(timeout.Token);
        Assert.Equal(revisions, seen);
    }

    [Fact]
    public async Task Read_through_node_B_for_at_least_the_revision_of_a_write_through_A_should_see_the_write()
    {
        var key = Unique("ryw/key");
        var revision = await Mwg(_cluster.A).Store.PutAsync([Pair(key, "mine")]);

        var values = await Mwg(_cluster.B).Store.GetAsync([key], minRevision: revision);
        Assert.Equal("mine", Encoding.UTF8.GetString(values[0]!));
    }

    [Fact]
    public async Task Read_for_a_revision_not_yet_written_should_wait_for_it_and_then_answer()
    {
        var key = Unique("wait/key");
        var current = await Mwg(_cluster.A).Store.PutAsync([Pair(key, "before")]);
        var probe = new TestProbe(_cluster.B, new XunitAssertions());

        // Asks node B for the next revision before it exists: the read is held, not answered with the old value.
        Mwg(_cluster.B).Storage.Tell(new StorageProtocol.ReadKeys([key], CorrelationId: 7, MinRevision: current + 1), probe.Ref);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        var next = await Mwg(_cluster.C).Store.PutAsync([Pair(key, "after")]);
        var read = await probe.ExpectMsgAsync<StorageProtocol.KeysRead>(Timeout);
        Assert.Equal(7, read.CorrelationId);
        Assert.True(read.Revision >= next, $"read at revision {read.Revision}, asked at least {next}");
        Assert.Equal("after", Encoding.UTF8.GetString(read.Values[0]!));
    }

    [Fact]
    public async Task Read_for_a_revision_that_never_comes_should_fail_as_retryable_after_the_wait_timeout()
    {
        var probe = new TestProbe(_cluster.C, new XunitAssertions());
        Mwg(_cluster.C).Storage.Tell(new StorageProtocol.ReadKeys([[1]], CorrelationId: 9, MinRevision: long.MaxValue / 2), probe.Ref);

        var failed = await probe.ExpectMsgAsync<StorageProtocol.StorageFailed>(Timeout);
        Assert.Equal(9, failed.CorrelationId);
        Assert.Equal(StorageFailure.Unavailable, failed.Reason);
        Assert.True(failed.Retryable);
    }

    [Fact]
    public async Task Leases_requested_concurrently_through_all_three_nodes_should_be_unique()
    {
        var owners = _cluster.Nodes.Select(n => new TestProbe(n, new XunitAssertions())).ToArray();
        const int PerNode = 8;
        for (var i = 0; i < PerNode; i++)
        {
            for (var n = 0; n < owners.Length; n++)
            {
                // Every node's requests use the same ids: each node's lock client forwards them under its own.
                Mwg(_cluster.Nodes[n]).Locks.Tell(new LockProtocol.AcquirePrefix(owners[n].Ref, i), owners[n].Ref);
            }
        }

        var granted = new List<int>();
        foreach (var owner in owners)
        {
            var ids = new List<long>();
            for (var i = 0; i < PerNode; i++)
            {
                var grant = await owner.ExpectMsgAsync<LockProtocol.PrefixGranted>(Timeout);
                granted.Add(grant.Prefix);
                ids.Add(grant.CorrelationId);
            }

            Assert.Equal(Enumerable.Range(0, PerNode).Select(i => (long)i), ids.Order());
        }

        Assert.Equal(granted.Count, granted.Distinct().Count());

        // The lock table, asked through another node, lists them all as held.
        var leases = await Mwg(_cluster.B).Locks.Ask<LockProtocol.LeaseList>(LockProtocol.GetLeases.Instance, Timeout);
        Assert.Subset(leases.Leases.Select(l => l.Prefix).ToHashSet(), granted.ToHashSet());
    }

    [Fact]
    public async Task Every_node_should_report_the_same_revision_once_its_view_caught_up()
    {
        var revision = await Mwg(_cluster.B).Store.PutAsync([Pair(Unique("rev/key"), "x")]);
        foreach (var node in _cluster.Nodes)
        {
            var values = await Mwg(node).Store.GetAsync([Encoding.UTF8.GetBytes("none")], minRevision: revision);
            Assert.Null(values[0]);
            Assert.True(await Mwg(node).Store.GetRevisionAsync() >= revision);
        }
    }

    [Fact]
    public async Task Remove_of_a_missing_key_should_take_no_revision_and_notify_no_one_once_the_writers_view_caught_up()
    {
        var prefix = Unique("absent/");
        var missing = Concat(prefix, "never-written");
        await using var subscription = await Mwg(_cluster.B).Store.SubscribeAsync([prefix]);
        var put = await Mwg(_cluster.A).Store.PutAsync([Pair(Unique("absent-other/"), "x")]);

        // Both storage nodes' views (the writer runs on one of them) have applied every batch committed so far.
        foreach (var node in new[] { _cluster.A, _cluster.B })
        {
            await Mwg(node).Store.GetAsync([missing], minRevision: put);
        }

        var removed = await Mwg(_cluster.C).Store.RemoveAsync([missing]);
        Assert.Equal(put, removed);

        // The subscriber's next notification is the next change, not the remove.
        var written = await Mwg(_cluster.A).Store.PutAsync([Pair(missing, "now")]);
        Assert.Equal(put + 1, written);
        using var timeout = new CancellationTokenSource(Timeout);
        var first = await subscription.ReadAllAsync(timeout.Token).OfType<SubscribedKeysChanged>().FirstAsync(timeout.Token);
        Assert.Equal(written, first.Revision);
        Assert.False(Assert.Single(first.Changes).Removed);
    }

    private static byte[] Unique(string prefix) => Encoding.UTF8.GetBytes($"{prefix}{Guid.NewGuid():N}/");

    private static byte[] Concat(byte[] prefix, string rest) => [.. prefix, .. Encoding.UTF8.GetBytes(rest)];

    private static KeyValuePair<byte[], byte[]> Pair(byte[] key, string value) => new(key, Encoding.UTF8.GetBytes(value));
}
