using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace MwgActors.Actors.Locks;

/// <summary>
/// Compact binary form of the lock actor's events and snapshot, so the lease table survives a restart on a real
/// journal. Part of the on-disk format: one manifest per type and layout, little-endian integers, tokens as
/// length-prefixed UTF-8. Bound to the lock events in reference.conf as serializer "mwg-locks".
/// </summary>
public sealed class LockEventSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id; ids below 100 are Akka's own, 7513 is the storage journal's.</summary>
    public const int SerializerId = 7514;

    private const string LeasedManifest = "PL1";
    private const string ReleasedManifest = "LR1";
    private const string ExpiredManifest = "LX1";
    private const string SnapshotManifest = "LS1";

    public LockEventSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        PrefixLeased => LeasedManifest,
        LeaseReleased => ReleasedManifest,
        LeaseExpired => ExpiredManifest,
        LeaseTableSnapshot => SnapshotManifest,
        _ => throw new ArgumentException($"LockEventSerializer cannot serialize {o?.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            switch (obj)
            {
                case PrefixLeased leased:
                    Write(writer, leased);
                    break;
                case LeaseReleased released:
                    writer.Write(released.Prefix);
                    break;
                case LeaseExpired expired:
                    writer.Write(expired.Prefix);
                    break;
                case LeaseTableSnapshot snapshot:
                    writer.Write(snapshot.Leases.Count);
                    foreach (var lease in snapshot.Leases)
                    {
                        Write(writer, lease);
                    }

                    break;
                default:
                    throw new ArgumentException($"LockEventSerializer cannot serialize {obj?.GetType()}", nameof(obj));
            }
        }

        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        try
        {
            object result = manifest switch
            {
                LeasedManifest => ReadLeased(reader),
                ReleasedManifest => new LeaseReleased(reader.ReadInt32()),
                ExpiredManifest => new LeaseExpired(reader.ReadInt32()),
                SnapshotManifest => ReadSnapshot(reader),
                _ => throw new SerializationException($"unknown manifest '{manifest}' for LockEventSerializer"),
            };
            if (reader.BaseStream.Position != bytes.Length)
            {
                throw new SerializationException($"corrupt lock event '{manifest}': trailing bytes");
            }

            return result;
        }
        catch (EndOfStreamException ex)
        {
            throw new SerializationException($"truncated lock event '{manifest}'", ex);
        }
    }

    // Layout: i32 prefix, 7-bit-length-prefixed UTF-8 token, i64 leasedAtUnixMs.
    private static void Write(BinaryWriter writer, PrefixLeased leased)
    {
        writer.Write(leased.Prefix);
        writer.Write(leased.LeaseToken);
        writer.Write(leased.LeasedAtUnixMs);
    }

    private static PrefixLeased ReadLeased(BinaryReader reader) =>
        new(reader.ReadInt32(), reader.ReadString(), reader.ReadInt64());

    private static LeaseTableSnapshot ReadSnapshot(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > reader.BaseStream.Length)
        {
            throw new SerializationException("corrupt lease table snapshot: bad count");
        }

        var leases = new PrefixLeased[count];
        for (var i = 0; i < count; i++)
        {
            leases[i] = ReadLeased(reader);
        }

        return new LeaseTableSnapshot(leases);
    }
}
