namespace MwgActors.Actors.Storage;

/// <summary>
/// Decides how much of the change log may be deleted: a revision goes once more than <c>retainRevisions</c> newer
/// ones exist, or once it is older than <c>retainAge</c>. Zero turns a bound off. Deleted revisions can no longer be
/// replayed to a resuming subscriber, who then gets the "resume point too old" signal.
/// </summary>
internal sealed class RetentionPolicy
{
    private readonly long _retainRevisions;
    private readonly long _retainAgeMs;

    // (revision, commit time) of the retained revisions, oldest first; only kept when an age bound is set.
    private readonly Queue<(long Revision, long CommittedAtUnixMs)> _commitTimes = new();
    private long _deletedTo;

    public RetentionPolicy(long retainRevisions, TimeSpan retainAge)
    {
        _retainRevisions = retainRevisions;
        _retainAgeMs = (long)retainAge.TotalMilliseconds;
    }

    public void Track(long revision, long committedAtUnixMs)
    {
        if (_retainAgeMs > 0 && revision > _deletedTo)
        {
            _commitTimes.Enqueue((revision, committedAtUnixMs));
        }
    }

    /// <summary>
    /// The highest revision that retention allows to delete, given the latest revision and the time, and never above
    /// <paramref name="ceiling"/> (the newest snapshot: recovery needs everything after it).
    /// </summary>
    public long Cut(long latestRevision, long nowUnixMs, long ceiling)
    {
        var cut = _retainRevisions > 0 ? Math.Min(ceiling, Math.Max(0, latestRevision - _retainRevisions)) : 0;
        if (_retainAgeMs > 0)
        {
            while (_commitTimes.TryPeek(out var oldest)
                && oldest.Revision <= ceiling
                && (oldest.Revision <= cut || oldest.CommittedAtUnixMs < nowUnixMs - _retainAgeMs))
            {
                cut = Math.Max(cut, oldest.Revision);
                _commitTimes.Dequeue();
            }
        }

        return cut;
    }

    /// <summary>True when <paramref name="cut"/> deletes something not deleted before.</summary>
    public bool TryAdvanceDeleted(long cut)
    {
        if (cut <= _deletedTo)
        {
            return false;
        }

        _deletedTo = cut;
        return true;
    }
}
