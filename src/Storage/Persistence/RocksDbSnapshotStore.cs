using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using MwgActors.Storage.RocksDb;
using RocksDbSharp;

namespace MwgActors.Storage.Persistence;

/// <summary>
/// Akka.Persistence snapshot store on RocksDB: one entry per persistence id and sequence number in the
/// "snapshots" column family (<see cref="PersistenceKeys"/>), so "the latest matching" is a reverse range
/// scan. Saving the same sequence number again overwrites. The folder is opened through
/// <see cref="RocksDbDatabase.Acquire"/> and may be shared with the journal and the data store.
/// </summary>
/// <remarks>Runs its RocksDB calls synchronously on the plugin's dispatcher, like <see cref="RocksDbJournal"/>.</remarks>
public sealed class RocksDbSnapshotStore : SnapshotStore
{
    private readonly RocksDbPluginSettings _settings;
    private readonly SnapshotRecord _records;
    private readonly WriteOptions _writeOptions;
    private readonly Lock _gate = new();
    private RocksDbDatabase? _database;

    public RocksDbSnapshotStore(Config config)
    {
        _settings = RocksDbPluginSettings.Create(config, Self.Path.Name);
        _records = new SnapshotRecord(Context.System.Serialization);
        _writeOptions = new WriteOptions().SetSync(_settings.SyncWrites);
    }

    private RocksDbDatabase Database => _database ?? throw new ObjectDisposedException(nameof(RocksDbSnapshotStore), $"the snapshot store {_settings.ConfigPath} is not open");

    private ColumnFamilyHandle Snapshots => Database.Family(RocksDbColumnFamilies.Snapshots);

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

    protected override Task<SelectedSnapshot> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        Run(() => Load(persistenceId, criteria)!);

    protected override Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken = default) =>
        Run(() =>
        {
            var key = PersistenceKeys.Entry(PersistenceKeys.Prefix(metadata.PersistenceId), metadata.SequenceNr);
            Database.Handle.Put(key, _records.Encode(metadata.Timestamp, snapshot), Snapshots, _writeOptions);
            return true;
        });

    /// <summary>
    /// Deletes the snapshot at the metadata's sequence number unless it is newer than the metadata's
    /// timestamp; <see cref="DateTime.MinValue"/> matches any timestamp (Akka's contract).
    /// </summary>
    protected override Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken = default) =>
        Run(() =>
        {
            var key = PersistenceKeys.Entry(PersistenceKeys.Prefix(metadata.PersistenceId), metadata.SequenceNr);
            var value = Database.Handle.Get(key, Snapshots);
            if (value is not null && (metadata.Timestamp == DateTime.MinValue || SnapshotRecord.Timestamp(value) <= metadata.Timestamp))
            {
                Database.Handle.Remove(key, Snapshots, _writeOptions);
            }

            return true;
        });

    protected override Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken = default) =>
        Run(() =>
        {
            using var batch = new WriteBatch();
            var count = 0;
            Scan(persistenceId, criteria, reverse: false, (key, _) =>
            {
                batch.Delete(key, Snapshots);
                count++;
                return true;
            });
            if (count > 0)
            {
                Database.Handle.Write(batch, _writeOptions);
            }

            return true;
        });

    private SelectedSnapshot? Load(string persistenceId, SnapshotSelectionCriteria criteria)
    {
        var prefix = PersistenceKeys.Prefix(persistenceId);
        SelectedSnapshot? selected = null;
        Scan(persistenceId, criteria, reverse: true, (key, value) =>
        {
            PersistenceKeys.TryReadSequenceNr(key, prefix, out var sequenceNr);
            var metadata = new SnapshotMetadata(persistenceId, sequenceNr, SnapshotRecord.Timestamp(value));
            selected = new SelectedSnapshot(metadata, _records.DecodeState(value));
            return false;
        });
        return selected;
    }

    /// <summary>
    /// Visits the snapshots of one persistence id inside the criteria's sequence range whose timestamp also
    /// matches, newest first when <paramref name="reverse"/>; the visitor returns false to stop.
    /// </summary>
    private void Scan(string persistenceId, SnapshotSelectionCriteria criteria, bool reverse, Func<byte[], byte[], bool> visit)
    {
        if (criteria.MaxSequenceNr < Math.Max(0, criteria.MinSequenceNr))
        {
            return;
        }

        var prefix = PersistenceKeys.Prefix(persistenceId);
        var minTimestamp = criteria.MinTimestamp ?? DateTime.MinValue;
        var readOptions = new ReadOptions()
            .SetIterateLowerBound(PersistenceKeys.Entry(prefix, criteria.MinSequenceNr))
            .SetIterateUpperBound(PersistenceKeys.EntryUpperBound(prefix, criteria.MaxSequenceNr));
        using var iterator = Database.Handle.NewIterator(Snapshots, readOptions);
        if (reverse)
        {
            iterator.SeekToLast();
        }
        else
        {
            iterator.SeekToFirst();
        }

        while (iterator.Valid())
        {
            var value = iterator.Value();
            var timestamp = SnapshotRecord.Timestamp(value);
            if (timestamp <= criteria.MaxTimeStamp && timestamp >= minTimestamp && !visit(iterator.Key(), value))
            {
                break;
            }

            if (reverse)
            {
                iterator.Prev();
            }
            else
            {
                iterator.Next();
            }
        }

        // The native bounds live in the options object until the iterator is done.
        GC.KeepAlive(readOptions);
    }

    private Task<T> Run<T>(Func<T> work)
    {
        try
        {
            lock (_gate)
            {
                return Task.FromResult(work());
            }
        }
        catch (RocksDbException ex)
        {
            return Task.FromException<T>(RocksDbDatabase.Translate(ex, Path.GetFullPath(_settings.Path)));
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }
}
