using MwgActors.Storage;

namespace MwgActors.Actors.Storage;

/// <summary>
/// The event journaled for one committed batch. Its journal sequence number is its revision.
/// Persisted through <see cref="MwgEventSerializer"/>.
/// </summary>
/// <param name="Operations">Puts and removes in batch order (a null value is a remove).</param>
/// <param name="CommittedAtUnixMs">Wall-clock time of the commit, for age-based retention.</param>
public sealed record KeysChanged(IReadOnlyList<BatchOperation> Operations, long CommittedAtUnixMs);

/// <summary>
/// Published on the change bus after a batch is journaled and applied to the view, in revision order.
/// </summary>
public sealed record ChangesCommitted(long Revision, IReadOnlyList<BatchOperation> Operations);

/// <summary>The storage actor's snapshot: the view is the state, so only the revision it covers is kept.</summary>
public sealed record StorageSnapshot(long Revision);

/// <summary>
/// Published by the writer in cluster mode when it has recovered and then periodically: every revision up to
/// <paramref name="Revision"/> is committed. A node that has seen less reads the rest from the journal, so a change
/// lost in transit (the writer's node died after the commit, before the publish reached everyone) is not missed.
/// </summary>
public sealed record LogPosition(long Revision);
