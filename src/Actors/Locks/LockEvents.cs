namespace MwgActors.Actors.Locks;

// The lease table's journal. Owners are not journaled: an actor ref means nothing after a restart, so a
// recovered lease has no owner and waits in grace for a reclaim. A reclaim changes only the owner, so it
// journals nothing. The release event is LeaseReleased (not PrefixReleased) so it cannot be confused with
// the reply LockProtocol.PrefixReleased. Persisted through LockEventSerializer.

/// <summary>A prefix was leased with <paramref name="LeaseToken"/>.</summary>
public sealed record PrefixLeased(int Prefix, string LeaseToken, long LeasedAtUnixMs);

/// <summary>The holder of the lease released it.</summary>
public sealed record LeaseReleased(int Prefix);

/// <summary>The lease's owner was gone for the whole grace period; the prefix is free again.</summary>
public sealed record LeaseExpired(int Prefix);

/// <summary>The whole lease table at a sequence number, saved every <see cref="LockSettings.SnapshotEvery"/> events.</summary>
public sealed record LeaseTableSnapshot(IReadOnlyList<PrefixLeased> Leases);
