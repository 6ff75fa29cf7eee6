using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MwgActors.Storage;

namespace MwgActors.Actors.Storage;

/// <summary>
/// Compact binary form of the storage journal's events. The change log holds every batch, so its encoding is
/// part of the on-disk format: a manifest per event type, little-endian lengths, keys and values verbatim.
/// Bound to <see cref="KeysChanged"/> in reference.conf.
/// </summary>
public sealed class MwgEventSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id; ids below 100 are Akka's own.</summary>
    public const int SerializerId = 7513;

    private const string KeysChangedManifest = "KC1";
    private const string StorageSnapshotManifest = "SS1";

    public MwgEventSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        KeysChanged => KeysChangedManifest,
        StorageSnapshot => StorageSnapshotManifest,
        _ => throw new ArgumentException($"MwgEventSerializer cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        KeysChanged changed => Write(changed),
        StorageSnapshot snapshot => WriteInt64(snapshot.Revision),
        _ => throw new ArgumentException($"MwgEventSerializer cannot serialize {obj.GetType()}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        KeysChangedManifest => ReadKeysChanged(bytes),
        StorageSnapshotManifest when bytes.Length == 8 => new StorageSnapshot(BinaryPrimitives.ReadInt64LittleEndian(bytes)),
        _ => throw new SerializationException($"unknown manifest '{manifest}' for MwgEventSerializer"),
    };

    // Layout: i64 committedAtUnixMs, i32 count, then per operation: u8 kind (0 put, 1 remove),
    // i32 keyLength, key, and for puts i32 valueLength, value.
    private static byte[] Write(KeysChanged changed)
    {
        var size = 8 + 4;
        foreach (var op in changed.Operations)
        {
            size += 1 + 4 + op.Key.Length + (op.IsRemove ? 0 : 4 + op.Value!.Length);
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(span, changed.CommittedAtUnixMs);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], changed.Operations.Count);
        var offset = 12;
        foreach (var op in changed.Operations)
        {
            span[offset++] = op.IsRemove ? (byte)1 : (byte)0;
            offset = WriteBytes(span, offset, op.Key);
            if (!op.IsRemove)
            {
                offset = WriteBytes(span, offset, op.Value!);
            }
        }

        return buffer;
    }

    private static byte[] WriteInt64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static int WriteBytes(Span<byte> span, int offset, byte[] bytes)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], bytes.Length);
        bytes.CopyTo(span[(offset + 4)..]);
        return offset + 4 + bytes.Length;
    }

    private static KeysChanged ReadKeysChanged(byte[] bytes)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        if (!reader.TryReadLittleEndian(out long committedAt) || !reader.TryReadLittleEndian(out int count) || count < 0)
        {
            throw new SerializationException("truncated KeysChanged event");
        }

        var operations = new BatchOperation[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryRead(out var kind) || kind > 1)
            {
                throw new SerializationException("corrupt KeysChanged event: bad operation kind");
            }

            var key = ReadBytes(ref reader);
            operations[i] = new BatchOperation(key, kind == 1 ? null : ReadBytes(ref reader));
        }

        return new KeysChanged(operations, committedAt);
    }

    private static byte[] ReadBytes(ref SequenceReader<byte> reader)
    {
        if (!reader.TryReadLittleEndian(out int length) || length < 0 || length > reader.Remaining)
        {
            throw new SerializationException("corrupt KeysChanged event: bad length");
        }

        var bytes = new byte[length];
        if (!reader.TryCopyTo(bytes))
        {
            throw new SerializationException("truncated KeysChanged event");
        }

        reader.Advance(length);
        return bytes;
    }
}
