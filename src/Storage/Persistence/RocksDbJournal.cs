using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using MwgActors.Storage.RocksDb;
using RocksDbSharp;

namespace MwgActors.Storage.Persistence;

/// <summary>
/// Akka.Persistence journal on RocksDB. Events live in the "journal" column family under
/// <see cref="PersistenceKeys"/>, the highest sequence number per persistence id in "journal-meta", so it
/// survives <c>DeleteMessagesTo</c>. The folder is opened through <see cref="RocksDbDatabase.Acquire"/> and
/// may be the data store's.
/// </summary>
/// <remarks>
/// The RocksDB calls run synchronously on the plugin's dispatcher (a pinned thread by default, see
/// <c>mwg.persistence.dispatcher</c>), and the returned tasks are already complete. That keeps the blocking
/// work off the default dispatcher and makes writes, deletions and the read-modify-write of the highest
/// sequence number strictly ordered, as the journal actor receives them. One journal per folder.
/// </remarks>
public sealed class RocksDbJournal : AsyncWriteJournal
{
    private readonly RocksDbPluginSettings _settings;
    private readonly JournalRecord _records;
    private readonly WriteOptions _writeOptions;

    // The base class calls in from the actor's thread today; the gate keeps the read-modify-write of the
    // highest sequence number and the release in PostStop correct should it ever call from elsewhere.
    private readonly Lock _gate = new();
    private RocksDbDatabase? _database;

    public RocksDbJournal(Config config)
    {
        _settings = RocksDbPluginSettings.Create(config, Self.Path.Name);
        _records = new JournalRecord(Context.System.Serialization);
        _writeOptions = new WriteOptions().SetSync(_settings.SyncWrites);
    }

    private RocksDbDatabase Database => _database ?? throw new ObjectDisposedException(nameof(RocksDbJournal), $"the journal {_settings.ConfigPath} is not open");

    public override Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        try
        {
            lock (_gate)
            {
                Replay(persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
            }
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(Translate(ex));
        }
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken = default)
    {
        try
        {
            lock (_gate)
            {
                return Task.FromResult(ReadHighestSequenceNr(PersistenceKeys.Prefix(persistenceId)));
            }
        }
        catch (Exception ex)
        {
            return Task.FromException<long>(Translate(ex));
        }
    }

    protected override void PreStart()
    {
        base.PreStart();
        _database = RocksDbDatabase.Acquire(_settings.ToRocksDbSettings());
    }

    protected override void PostStop()
    {
        try
        {
            base.PostStop();
        }
        finally
        {
            lock (_gate)
            {
                _database?.Release();
                _database = null;
            }
        }
    }

    protected override Task<IImmutableList<Exception?>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken = default)
    {
        try
        {
            lock (_gate)
            {
                return Task.FromResult<IImmutableList<Exception?>>(Write(messages));
            }
        }
        catch (Exception ex)
        {
            return Task.FromException<IImmutableList<Exception?>>(Translate(ex));
        }
    }

    protected override Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        try
        {
            lock (_gate)
            {
                DeleteTo(persistenceId, toSequenceNr);
            }
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(Translate(ex));
        }
    }

    /// <summary>
    /// All AtomicWrites of one call go into one WriteBatch. An AtomicWrite whose events cannot all be
    /// serialized is left out whole and rejected in its slot; the others are written.
    /// </summary>
    private ImmutableList<Exception?> Write(IEnumerable<AtomicWrite> messages)
    {
        var database = Database;
        var journal = database.Family(RocksDbColumnFamilies.Journal);
        var results = ImmutableList.CreateBuilder<Exception?>();
        var highest = new Dictionary<string, (byte[] Prefix, long SequenceNr)>(StringComparer.Ordinal);
        using var batch = new WriteBatch();

        foreach (var write in messages)
        {
            var events = (IImmutableList<IPersistentRepresentation>)write.Payload;
            byte[] prefix;
            List<(byte[] Key, byte[] Value)> entries;
            try
            {
                prefix = PersistenceKeys.Prefix(write.PersistenceId);
                entries = events.Select(e => (PersistenceKeys.Entry(prefix, e.SequenceNr), _records.Encode(e))).ToList();
            }
            catch (Exception ex)
            {
                results.Add(ex);
                continue;
            }

            foreach (var (key, value) in entries)
            {
                batch.Put(key, value, journal);
            }

            var top = events.Max(e => e.SequenceNr);
            if (!highest.TryGetValue(write.PersistenceId, out var known) || known.SequenceNr < top)
            {
                highest[write.PersistenceId] = (prefix, top);
            }

            results.Add(null);
        }

        if (highest.Count > 0)
        {
            var meta = database.Family(RocksDbColumnFamilies.JournalMeta);
            foreach (var (prefix, sequenceNr) in highest.Values)
            {
                if (sequenceNr > ReadHighestSequenceNr(prefix))
                {
                    batch.Put(PersistenceKeys.HighestSequenceNr(prefix), PersistenceKeys.EncodeSequenceNr(sequenceNr), meta);
                }
            }

            database.Handle.Write(batch, _writeOptions);
        }

        return results.ToImmutable();
    }

    private void Replay(string persistenceId, long fromSequenceNr, long toSequenceNr, long max, Action<IPersistentRepresentation> recoveryCallback)
    {
        if (max <= 0 || toSequenceNr < Math.Max(fromSequenceNr, 0))
        {
            return;
        }

        var prefix = PersistenceKeys.Prefix(persistenceId);
        var readOptions = new ReadOptions().SetIterateUpperBound(PersistenceKeys.EntryUpperBound(prefix, toSequenceNr));
        using var iterator = Database.Handle.NewIterator(Database.Family(RocksDbColumnFamilies.Journal), readOptions);
        long replayed = 0;
        for (iterator.Seek(PersistenceKeys.Entry(prefix, fromSequenceNr)); iterator.Valid() && replayed < max; iterator.Next())
        {
            if (!PersistenceKeys.TryReadSequenceNr(iterator.GetKeySpan(), prefix, out _))
            {
                break;
            }

            recoveryCallback(_records.Decode(iterator.Value()));
            replayed++;
        }

        // The native upper bound lives in the options object until the iterator is done.
        GC.KeepAlive(readOptions);
    }

    private long ReadHighestSequenceNr(byte[] prefix)
    {
        var value = Database.Handle.Get(PersistenceKeys.HighestSequenceNr(prefix), Database.Family(RocksDbColumnFamilies.JournalMeta));
        return value is null ? 0L : PersistenceKeys.DecodeSequenceNr(value);
    }

    /// <summary>Deletes the events up to <paramref name="toSequenceNr"/>; the highest sequence number stays in journal-meta.</summary>
    private void DeleteTo(string persistenceId, long toSequenceNr)
    {
        var prefix = PersistenceKeys.Prefix(persistenceId);
        var upTo = Math.Min(toSequenceNr, ReadHighestSequenceNr(prefix));
        if (upTo <= 0)
        {
            return;
        }

        var start = PersistenceKeys.Entry(prefix, 0L);
        var end = PersistenceKeys.EntryUpperBound(prefix, upTo);
        using var batch = new WriteBatch();
        batch.DeleteRange(start, (ulong)start.Length, end, (ulong)end.Length, Database.Family(RocksDbColumnFamilies.Journal));
        Database.Handle.Write(batch, _writeOptions);
    }

    private Exception Translate(Exception ex) =>
        ex is RocksDbException rocks ? RocksDbDatabase.Translate(rocks, Path.GetFullPath(_settings.Path)) : ex;
}
