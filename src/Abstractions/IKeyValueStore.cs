namespace MwgActors.Storage;

/// <summary>
/// An ordered key/value store of byte keys and byte values.
/// </summary>
/// <remarks>
/// Thread-safety contract, shared by every implementation:
/// <list type="bullet">
/// <item>All members except <see cref="IDisposable.Dispose"/> may be called concurrently from any number of threads.</item>
/// <item><see cref="Write"/> is atomic: a reader sees either none or all of a batch, never part of it.</item>
/// <item><see cref="Get"/> reads every key of one call from one consistent point in time.</item>
/// <item><see cref="ScanPrefix"/> iterates a consistent point-in-time view taken when enumeration starts;
///   writes made during the enumeration are not seen by it.</item>
/// <item><see cref="IDisposable.Dispose"/> must not race other calls: the owner stops using the store first
///   (in the server, the storage actor disposes it in PostStop). Calls after disposal throw
///   <see cref="ObjectDisposedException"/>.</item>
/// </list>
/// Keys and values given to the store are copied or written before the call returns; the caller may reuse
/// its arrays afterwards. Arrays returned by the store belong to the caller.
/// </remarks>
public interface IKeyValueStore : IDisposable
{
    /// <summary>
    /// Reads a batch of keys. The result has one entry per key, in key order:
    /// <c>null</c> for a missing key, an empty array for a key whose value is empty.
    /// </summary>
    byte[]?[] Get(IReadOnlyList<byte[]> keys);

    /// <summary>
    /// Reads like <see cref="Get"/> (one consistent point in time), but shows each present value's length to
    /// <paramref name="admit"/>, in key order, before the value is copied; the first refusal ends the read and the
    /// result is null. A caller bounds what a read may cost with it while reading, never after.
    /// </summary>
    /// <remarks>
    /// This default reads every value first; a store that can see a value's size before it materializes the value
    /// (RocksDB, memory) overrides it, and keeps what one call holds at once bounded too.
    /// </remarks>
    byte[]?[]? GetWhile(IReadOnlyList<byte[]> keys, ValueAdmission admit)
    {
        ArgumentNullException.ThrowIfNull(admit);
        var values = Get(keys);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { } value && !admit(i, value.Length))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>Applies every put and remove of <paramref name="batch"/> atomically, in order.</summary>
    void Write(KeyValueBatch batch);

    /// <summary>
    /// Enumerates, in ascending unsigned byte order, every pair whose key starts with <paramref name="prefix"/>.
    /// The empty prefix enumerates every key.
    /// </summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix);

    /// <summary>Basic figures for operators: approximate key count and size on disk.</summary>
    StoreStats GetStats();

    /// <summary>
    /// The <see cref="KeyValueBatch.Revision"/> of the last written batch that carried one, 0 when none did.
    /// Recorded atomically with that batch and kept across reopen, so an event-sourced owner knows which
    /// journal events this store already holds.
    /// </summary>
    long AppliedRevision { get; }
}
