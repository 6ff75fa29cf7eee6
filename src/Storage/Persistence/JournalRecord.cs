using Akka.Actor;
using Akka.Persistence;
using Akka.Serialization;

namespace MwgActors.Storage.Persistence;

/// <summary>
/// The value of a journal entry: one format byte, then the <see cref="IPersistentRepresentation"/> as Akka's
/// persistence message serializer writes it (persistence id, sequence number, writer, manifest, timestamp, and the
/// payload with its own serializer id and manifest). The sender is never stored.
/// </summary>
internal sealed class JournalRecord
{
    private const byte FormatV1 = 1;

    private readonly Serializer _serializer;

    public JournalRecord(Akka.Serialization.Serialization serialization)
    {
        ArgumentNullException.ThrowIfNull(serialization);
        _serializer = serialization.FindSerializerForType(typeof(Persistent));
    }

    /// <summary>Serializes an event; throws when its payload cannot be serialized.</summary>
    public byte[] Encode(IPersistentRepresentation persistent)
    {
        // Update drops the timestamp, so the sender goes first; the write time is kept like Akka's own journals keep it.
        var stored = persistent.Sender is null ? persistent : persistent.Update(persistent.SequenceNr, persistent.PersistenceId, persistent.IsDeleted, ActorRefs.NoSender, persistent.WriterGuid);
        var timestamp = persistent.Timestamp > 0 ? persistent.Timestamp : DateTime.UtcNow.Ticks;
        var body = _serializer.ToBinary(stored.WithTimestamp(timestamp));
        var value = new byte[1 + body.Length];
        value[0] = FormatV1;
        body.CopyTo(value, 1);
        return value;
    }

    public Persistent Decode(byte[] value)
    {
        if (value.Length == 0 || value[0] != FormatV1)
        {
            throw new StoreException(StoreErrorKind.Corrupt, $"a journal entry has an unknown format ({(value.Length == 0 ? "empty" : $"format byte {value[0]}")})");
        }

        return _serializer.FromBinary<Persistent>(value.AsSpan(1).ToArray());
    }
}
