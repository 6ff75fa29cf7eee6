using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using static MwgActors.Actors.Locks.LockProtocol;
using static MwgActors.Actors.Storage.StorageProtocol;

namespace MwgActors.Actors.Cluster;

/// <summary>
/// Binary form of every message that crosses nodes in cluster mode: writes and their replies (to and from the
/// writer singleton), reads (to a storage node's view), committed batches and positions (DistributedPubSub), and the
/// lock protocol (to the lock table singleton). A manifest per type, little-endian integers, keys and values
/// verbatim, actor refs as their serialized paths. Bound in reference.conf; nothing here goes through Akka's
/// default JSON serializer.
/// </summary>
public sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id (7513 is the event serializer, 7514 the lock events').</summary>
    public const int SerializerId = 7515;

    public ClusterMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        WriteBatch => "WB",
        BatchCommitted => "BC",
        StorageFailed => "SF",
        ReadKeys => "RK",
        KeysRead => "KR",
        GetCurrentRevision => "GR",
        CurrentRevision => "CR",
        ScanPrefix => "SP",
        PrefixScanned => "PS",
        ChangesCommitted => "CC",
        LogPosition => "LP",
        AcquirePrefix => "AP",
        PrefixGranted => "PG",
        PrefixRefused => "PF",
        ReleasePrefix => "RP",
        PrefixReleased => "PR",
        RenewLeases => "RL",
        GetLeases => "GL",
        LeaseList => "LL",
        _ => throw new ArgumentException($"ClusterMessageSerializer cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        var w = new WireWriter();
        switch (obj)
        {
            case WriteBatch m:
                w.Int64(m.CorrelationId);
                WriteOperations(w, m.Operations);
                break;
            case BatchCommitted m:
                w.Int64(m.Revision);
                w.Int64(m.CorrelationId);
                w.Int32(m.Changed ?? -1);
                break;
            case StorageFailed m:
                w.Int32((int)m.Reason);
                w.Bool(m.Retryable);
                w.Int64(m.CorrelationId);
                break;
            case ReadKeys m:
                w.Int64(m.CorrelationId);
                w.Int64(m.MinRevision);
                w.Int32(m.Keys.Count);
                foreach (var key in m.Keys)
                {
                    w.Bytes(key);
                }

                w.Bool(m.Budget is not null);
                if (m.Budget is { } budget)
                {
                    w.Int64(budget.MaxBytes);
                    w.Int32(budget.BytesPerPosition);
                    w.Bool(budget.Base64Values);
                }

                break;
            case KeysRead m:
                w.Int64(m.Revision);
                w.Int64(m.CorrelationId);
                w.Int32(m.Values.Count);
                foreach (var value in m.Values)
                {
                    w.NullableBytes(value);
                }

                break;
            case GetCurrentRevision:
                break;
            case GetLeases m:
                w.Int64(m.CorrelationId);
                break;
            case CurrentRevision m:
                w.Int64(m.Revision);
                break;
            case ScanPrefix m:
                w.Bytes(m.Prefix);
                w.Int32(m.MaxPairs);

                // The listing's byte budget (mwg.server.listing-max-bytes) must hold on the node that scans, too.
                w.Int64(m.MaxBytes);
                break;
            case PrefixScanned m:
                w.Int64(m.Revision);
                w.Bool(m.Truncated);
                w.Int32(m.Pairs.Count);
                foreach (var pair in m.Pairs)
                {
                    w.Bytes(pair.Key);
                    w.Bytes(pair.Value);
                }

                break;
            case ChangesCommitted m:
                w.Int64(m.Revision);
                WriteOperations(w, m.Operations);
                break;
            case LogPosition m:
                w.Int64(m.Revision);
                break;
            case AcquirePrefix m:
                w.String(Serialization.SerializedActorPath(m.Owner));
                w.Int64(m.CorrelationId);
                w.Bool(m.Reclaim is not null);
                if (m.Reclaim is { } reclaim)
                {
                    WriteClaim(w, reclaim);
                }

                WriteSubject(w, m.Subject);
                w.Bool(m.ShortPrefix);
                break;
            case PrefixGranted m:
                w.Int32(m.Prefix);
                w.String(m.LeaseToken);
                w.Int64(m.CorrelationId);
                break;
            case PrefixRefused m:
                w.Int32((int)m.Reason);
                w.Int64(m.CorrelationId);
                break;
            case ReleasePrefix m:
                w.Int32(m.Prefix);
                w.String(m.LeaseToken);
                w.Int64(m.CorrelationId);
                break;
            case PrefixReleased m:
                w.Int32(m.Prefix);
                w.Int64(m.CorrelationId);
                break;
            case RenewLeases m:
                w.String(Serialization.SerializedActorPath(m.Owner));
                w.Int32(m.Claims.Count);
                foreach (var claim in m.Claims)
                {
                    WriteClaim(w, claim);
                }

                WriteSubject(w, m.Subject);
                break;
            case LeaseList m:
                w.Int64(m.CorrelationId);
                w.Int32(m.Leases.Count);
                foreach (var lease in m.Leases)
                {
                    w.Int32(lease.Prefix);
                    w.Bool(lease.OwnerConnected);
                    w.Int64(lease.GraceEndsAt?.ToUnixTimeMilliseconds() ?? long.MinValue);
                }

                break;
            default:
                throw new ArgumentException($"ClusterMessageSerializer cannot serialize {obj.GetType()}", nameof(obj));
        }

        return w.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new WireReader(bytes);
        object message = manifest switch
        {
            "WB" => new WriteBatch(ReadOperations(ref r, out var correlation), correlation),
            "BC" => ReadBatchCommitted(ref r),
            "SF" => new StorageFailed(ReadFailure(ref r), r.Bool(), r.Int64()),
            "RK" => ReadReadKeys(ref r),
            "KR" => ReadKeysRead(ref r),
            "GR" => GetCurrentRevision.Instance,
            "CR" => new CurrentRevision(r.Int64()),
            "SP" => new ScanPrefix(r.Bytes(), r.Int32(), r.Int64()),
            "PS" => ReadPrefixScanned(ref r),
            "CC" => ReadChangesCommitted(ref r),
            "LP" => new LogPosition(r.Int64()),
            "AP" => new AcquirePrefix(ResolveRef(r.String()), r.Int64(), r.Bool() ? ReadClaim(ref r) : null, ReadSubject(ref r), r.Bool()),
            "PG" => new PrefixGranted(r.Int32(), r.String(), r.Int64()),
            "PF" => new PrefixRefused(ReadRefusal(ref r), r.Int64()),
            "RP" => new ReleasePrefix(r.Int32(), r.String(), r.Int64()),
            "PR" => new PrefixReleased(r.Int32(), r.Int64()),
            "RL" => ReadRenewLeases(ref r),
            "GL" => new GetLeases(r.Int64()),
            "LL" => ReadLeaseList(ref r),
            _ => throw new SerializationException($"unknown manifest '{manifest}' for ClusterMessageSerializer"),
        };
        r.End();
        return message;
    }

    private static void WriteOperations(WireWriter w, IReadOnlyList<BatchOperation> operations)
    {
        w.Int32(operations.Count);
        foreach (var op in operations)
        {
            w.Bytes(op.Key);
            w.NullableBytes(op.Value);
        }
    }

    private static BatchOperation[] ReadOperations(ref WireReader r, out long correlation)
    {
        correlation = r.Int64();
        return ReadOperations(ref r);
    }

    private static BatchOperation[] ReadOperations(ref WireReader r)
    {
        var operations = new BatchOperation[r.Count(8)];
        for (var i = 0; i < operations.Length; i++)
        {
            operations[i] = new BatchOperation(r.Bytes(), r.NullableBytes());
        }

        return operations;
    }

    private static ChangesCommitted ReadChangesCommitted(ref WireReader r)
    {
        var revision = r.Int64();
        return new ChangesCommitted(revision, ReadOperations(ref r));
    }

    private static BatchCommitted ReadBatchCommitted(ref WireReader r)
    {
        var revision = r.Int64();
        var correlation = r.Int64();
        var changed = r.Int32();
        return new BatchCommitted(revision, correlation, changed < 0 ? null : changed);
    }

    private static ReadKeys ReadReadKeys(ref WireReader r)
    {
        var correlation = r.Int64();
        var minRevision = r.Int64();
        var keys = new byte[r.Count(4)][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = r.Bytes();
        }

        var budget = r.Bool() ? new ReplyBudget(r.Int64(), r.Int32(), r.Bool()) : null;
        return new ReadKeys(keys, correlation, minRevision, budget);
    }

    private static KeysRead ReadKeysRead(ref WireReader r)
    {
        var revision = r.Int64();
        var correlation = r.Int64();
        var values = new byte[]?[r.Count(4)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.NullableBytes();
        }

        return new KeysRead(values, revision, correlation);
    }

    private static PrefixScanned ReadPrefixScanned(ref WireReader r)
    {
        var revision = r.Int64();
        var truncated = r.Bool();
        var pairs = new KeyValuePair<byte[], byte[]>[r.Count(8)];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new KeyValuePair<byte[], byte[]>(r.Bytes(), r.Bytes());
        }

        return new PrefixScanned(pairs, truncated, revision);
    }

    private static void WriteClaim(WireWriter w, PrefixClaim claim)
    {
        w.Int32(claim.Prefix);
        w.String(claim.LeaseToken);
    }

    private static PrefixClaim ReadClaim(ref WireReader r) => new(r.Int32(), r.String());

    private RenewLeases ReadRenewLeases(ref WireReader r)
    {
        var owner = ResolveRef(r.String());
        var claims = new PrefixClaim[r.Count(8)];
        for (var i = 0; i < claims.Length; i++)
        {
            claims[i] = ReadClaim(ref r);
        }

        return new RenewLeases(owner, claims, ReadSubject(ref r));
    }

    // The lease quota's owner; null for a connection that counts as its own owner.
    private static void WriteSubject(WireWriter w, string? subject) =>
        w.NullableBytes(subject is null ? null : Encoding.UTF8.GetBytes(subject));

    private static string? ReadSubject(ref WireReader r) =>
        r.NullableBytes() is { } subject ? Encoding.UTF8.GetString(subject) : null;

    private static LeaseList ReadLeaseList(ref WireReader r)
    {
        var correlation = r.Int64();
        var leases = new LeaseState[r.Count(13)];
        for (var i = 0; i < leases.Length; i++)
        {
            var prefix = r.Int32();
            var connected = r.Bool();
            var grace = r.Int64();
            leases[i] = new LeaseState(prefix, connected, grace == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(grace));
        }

        return new LeaseList(leases, correlation);
    }

    private static StorageFailure ReadFailure(ref WireReader r)
    {
        var value = (StorageFailure)r.Int32();
        return Enum.IsDefined(value) ? value : throw new SerializationException("corrupt cluster message: unknown storage failure");
    }

    private static LockRefusal ReadRefusal(ref WireReader r)
    {
        var value = (LockRefusal)r.Int32();
        return Enum.IsDefined(value) ? value : throw new SerializationException("corrupt cluster message: unknown lock refusal");
    }

    private IActorRef ResolveRef(string path) => system.Provider.ResolveActorRef(path);
}
