using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using static MwgActors.Actors.Locks.LockProtocol;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// Every message that crosses nodes round-trips through <see cref="ClusterMessageSerializer"/>, which is the serializer
/// Akka picks for it (not the default JSON one), and corrupt bytes are refused rather than misread.
/// </summary>
public sealed class ClusterMessageSerializerSpec : TestKit
{
    public ClusterMessageSerializerSpec()
        : base(MwgConfig.Build(ConfigurationFactory.ParseString("mwg.storage.store = memory")), "mwg")
    {
    }

    public static TheoryData<string> MessageNames => [.. Messages(null!).Keys];

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Message_should_use_the_cluster_serializer_and_round_trip(string name)
    {
        var message = Messages(TestActor)[name];
        var serialization = Sys.Serialization;
        var serializer = serialization.FindSerializerFor(message);
        Assert.IsType<ClusterMessageSerializer>(serializer);

        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var bytes = serializer.ToBinary(message);
        var back = serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.Equal(Describe(message), Describe(back));
    }

    [Fact]
    public void Truncated_or_padded_bytes_should_be_refused()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new ChangesCommitted(1, []));
        var bytes = serializer.ToBinary(new ChangesCommitted(5, [new BatchOperation([1, 2], [3])]));

        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^1], "CC"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary([.. bytes, 0], "CC"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "??"));
    }

    private static Dictionary<string, object> Messages(IActorRef owner) => new()
    {
        ["WriteBatch"] = new WriteBatch([new BatchOperation([1, 2], [3, 4]), new BatchOperation([5], null), new BatchOperation([], [])], 42),
        ["BatchCommitted"] = new BatchCommitted(long.MaxValue, 7),
        ["BatchCommitted with changes"] = new BatchCommitted(12, 8, 0),
        ["StorageFailed"] = new StorageFailed(StorageFailure.Unavailable, true, 9),
        ["ReadKeys"] = new ReadKeys([[1], [], [0xFF, 0x23]], 3, 1234),
        ["ReadKeys with a budget"] = new ReadKeys([[1], [1]], 4, 0, new ReplyBudget(8 << 20, 5, Base64Values: true)),
        ["StorageFailed reply too large"] = new StorageFailed(StorageFailure.ReplyTooLarge, false, 10),
        ["KeysRead"] = new KeysRead([[1, 2], null, []], 99, 3),
        ["GetCurrentRevision"] = GetCurrentRevision.Instance,
        ["CurrentRevision"] = new CurrentRevision(17),
        ["ScanPrefix"] = new ScanPrefix([0x61], 100),
        ["ScanPrefix with a byte budget"] = new ScanPrefix([0x61], 100, 16L * 1024 * 1024),
        ["PrefixScanned"] = new PrefixScanned([new KeyValuePair<byte[], byte[]>([0x61, 1], [2])], true, 77),
        ["ChangesCommitted"] = new ChangesCommitted(12, [new BatchOperation([9], [8]), new BatchOperation([7], null)]),
        ["LogPosition"] = new LogPosition(12),
        ["AcquirePrefix"] = new AcquirePrefix(owner, 1),
        ["AcquirePrefix reclaim"] = new AcquirePrefix(owner, long.MaxValue, new PrefixClaim(65535, "dG9rZW4")),
        ["AcquirePrefix for a subject"] = new AcquirePrefix(owner, -2, Subject: "bob@example"),
        ["AcquirePrefix short, reclaim for a subject"] = new AcquirePrefix(owner, 3, new PrefixClaim(7, "dG9r"), "sübject", ShortPrefix: true),
        ["PrefixGranted"] = new PrefixGranted(5, "dG9r", 4),
        ["PrefixRefused"] = new PrefixRefused(LockRefusal.Unavailable, long.MinValue),
        ["ReleasePrefix"] = new ReleasePrefix(5, "dG9r", 6),
        ["PrefixReleased"] = new PrefixReleased(5, 0x0102030405060708),
        ["RenewLeases"] = new RenewLeases(owner, [new PrefixClaim(1, "a"), new PrefixClaim(2, "b")]),
        ["RenewLeases for a subject"] = new RenewLeases(owner, [new PrefixClaim(3, "c")], "bob"),
        ["PrefixRefused quota"] = new PrefixRefused(LockRefusal.LeaseQuotaExceeded, 9),
        ["GetLeases"] = GetLeases.Instance,
        ["GetLeases with an id"] = new GetLeases(10),
        ["LeaseList"] = new LeaseList([new LeaseState(1, true, null), new LeaseState(2, false, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123))], 11),
    };

    // Records compare arrays by reference: compare a rendering of their contents instead.
    private static string Describe(object message) => message switch
    {
        WriteBatch m => $"WB {m.CorrelationId} {Ops(m.Operations)}",
        ChangesCommitted m => $"CC {m.Revision} {Ops(m.Operations)}",
        ReadKeys m => $"RK {m.CorrelationId} {m.MinRevision} {string.Join(",", m.Keys.Select(Convert.ToHexString))} {m.Budget}",
        KeysRead m => $"KR {m.Revision} {m.CorrelationId} {string.Join(",", m.Values.Select(v => v is null ? "null" : Convert.ToHexString(v)))}",
        ScanPrefix m => $"SP {Convert.ToHexString(m.Prefix)} {m.MaxPairs} {m.MaxBytes}",
        PrefixScanned m => $"PS {m.Revision} {m.Truncated} {string.Join(",", m.Pairs.Select(p => Convert.ToHexString(p.Key) + "=" + Convert.ToHexString(p.Value)))}",
        RenewLeases m => $"RL {m.Owner.Path} {string.Join(",", m.Claims)} {m.Subject ?? "(connection)"}",
        LeaseList m => $"LL {m.CorrelationId} {string.Join(",", m.Leases)}",
        AcquirePrefix m => $"AP {m.Owner.Path} {m.CorrelationId} {m.Reclaim} {m.Subject ?? "(connection)"} {m.ShortPrefix}",
        _ => message.ToString()!,
    };

    private static string Ops(IEnumerable<BatchOperation> operations) =>
        string.Join(",", operations.Select(o => Convert.ToHexString(o.Key) + "=" + (o.Value is null ? "removed" : Convert.ToHexString(o.Value))));
}
