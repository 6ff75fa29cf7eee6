using System.Buffers.Binary;
using Akka.Persistence.Serialization;
using Akka.Serialization;

namespace MwgActors.Storage.Persistence;

/// <summary>
/// The value of a snapshot entry: one format byte, the metadata timestamp as big-endian <see cref="DateTime.Ticks"/>,
/// then the state wrapped in Akka's <see cref="Snapshot"/> as its built-in snapshot serializer writes it
/// (the state's serializer id, manifest and bytes).
/// </summary>
internal sealed class SnapshotRecord
{
    private const byte FormatV1 = 1;
    private const int HeaderLength = 1 + sizeof(long);

    private readonly Serializer _serializer;

    public SnapshotRecord(Akka.Serialization.Serialization serialization)
    {
        ArgumentNullException.ThrowIfNull(serialization);
        _serializer = serialization.FindSerializerForType(typeof(Snapshot));
    }

    public byte[] Encode(DateTime timestamp, object state)
    {
        var body = _serializer.ToBinary(new Snapshot(state));
        var value = new byte[HeaderLength + body.Length];
        value[0] = FormatV1;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(1), timestamp.Ticks);
        body.CopyTo(value, HeaderLength);
        return value;
    }

    /// <summary>Reads the timestamp alone, to filter by criteria without deserializing the state.</summary>
    public static DateTime Timestamp(ReadOnlySpan<byte> value)
    {
        if (value.Length < HeaderLength || value[0] != FormatV1)
        {
            throw new StoreException(StoreErrorKind.Corrupt, "a snapshot entry has an unknown format");
        }

        return new DateTime(BinaryPrimitives.ReadInt64BigEndian(value[1..]), DateTimeKind.Utc);
    }

    public object DecodeState(byte[] value)
    {
        _ = Timestamp(value);
        return _serializer.FromBinary<Snapshot>(value.AsSpan(HeaderLength).ToArray()).Data;
    }
}
