using System.Buffers.Binary;
using System.Text;

namespace MwgActors.Storage.Persistence;

/// <summary>
/// Key layout of the journal, journal-meta and snapshots column families.
/// An entry key is <c>[u16 BE byte length][UTF-8 persistence id][u64 BE sequence number]</c>: the length prefix
/// keeps "p-1" and "p-10" in disjoint ranges, and the big-endian number makes RocksDB's byte order the
/// sequence order, so a replay is one range scan. The highest-sequence-number key in journal-meta is
/// <c>[0x01][u16 BE byte length][UTF-8 persistence id]</c>; the leading tag leaves room for other metadata.
/// </summary>
internal static class PersistenceKeys
{
    /// <summary>Longest persistence id, in UTF-8 bytes, that fits the two-byte length prefix.</summary>
    public const int MaxPersistenceIdBytes = ushort.MaxValue;

    private const byte HighestSequenceNrTag = 0x01;

    /// <summary>The bytes every entry key of <paramref name="persistenceId"/> starts with.</summary>
    /// <exception cref="ArgumentException">The id is empty or longer than <see cref="MaxPersistenceIdBytes"/>.</exception>
    public static byte[] Prefix(string persistenceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var length = Encoding.UTF8.GetByteCount(persistenceId);
        if (length > MaxPersistenceIdBytes)
        {
            throw new ArgumentException($"persistence id is {length} UTF-8 bytes long, at most {MaxPersistenceIdBytes} are supported", nameof(persistenceId));
        }

        var prefix = new byte[2 + length];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
        Encoding.UTF8.GetBytes(persistenceId, prefix.AsSpan(2));
        return prefix;
    }

    /// <summary>The key of one event or snapshot. Sequence numbers above <see cref="long.MaxValue"/> only serve as exclusive upper bounds.</summary>
    public static byte[] Entry(ReadOnlySpan<byte> prefix, ulong sequenceNr)
    {
        var key = new byte[prefix.Length + sizeof(ulong)];
        prefix.CopyTo(key);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), sequenceNr);
        return key;
    }

    /// <summary>The key of one event or snapshot; negative sequence numbers count as 0.</summary>
    public static byte[] Entry(ReadOnlySpan<byte> prefix, long sequenceNr) => Entry(prefix, (ulong)Math.Max(0L, sequenceNr));

    /// <summary>The exclusive upper bound of the keys up to and including <paramref name="sequenceNr"/>.</summary>
    public static byte[] EntryUpperBound(ReadOnlySpan<byte> prefix, long sequenceNr) => Entry(prefix, (ulong)Math.Max(0L, sequenceNr) + 1UL);

    /// <summary>Reads the sequence number of an entry key that belongs to <paramref name="prefix"/>.</summary>
    public static bool TryReadSequenceNr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, out long sequenceNr)
    {
        if (key.Length != prefix.Length + sizeof(ulong) || !key.StartsWith(prefix))
        {
            sequenceNr = 0;
            return false;
        }

        var value = BinaryPrimitives.ReadUInt64BigEndian(key[prefix.Length..]);
        sequenceNr = value <= long.MaxValue ? (long)value : 0;
        return value <= long.MaxValue;
    }

    /// <summary>The journal-meta key holding the highest sequence number ever written for a persistence id.</summary>
    public static byte[] HighestSequenceNr(ReadOnlySpan<byte> prefix)
    {
        var key = new byte[1 + prefix.Length];
        key[0] = HighestSequenceNrTag;
        prefix.CopyTo(key.AsSpan(1));
        return key;
    }

    public static byte[] EncodeSequenceNr(long sequenceNr)
    {
        var value = new byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(value, sequenceNr);
        return value;
    }

    public static long DecodeSequenceNr(ReadOnlySpan<byte> value) =>
        value.Length == sizeof(long)
            ? BinaryPrimitives.ReadInt64BigEndian(value)
            : throw new StoreException(StoreErrorKind.Corrupt, $"a highest-sequence-number record is {value.Length} bytes long, expected {sizeof(long)}");
}
