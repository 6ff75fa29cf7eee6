namespace MwgActors.Actors.Connections;

/// <summary>
/// What a connection remembers of one of its subscriptions, so that it can pause it when the token expires and
/// resume it, under the same id, right after the last revision it delivered.
/// </summary>
internal sealed class ConnectionSubscription(IReadOnlyList<byte[]> prefixes, bool includeValues)
{
    public IReadOnlyList<byte[]> Prefixes { get; } = prefixes;

    public bool IncludeValues { get; } = includeValues;

    /// <summary>Its share of <c>mwg.protocol.max-prefix-bytes-per-connection</c>.</summary>
    public long PrefixBytes { get; } = BytesOf(prefixes);

    public static long BytesOf(IReadOnlyList<byte[]> prefixes) => prefixes.Sum(p => (long)p.Length);

    /// <summary>The last revision delivered (or replayed up to); null until the subscription actor confirms it.</summary>
    public long? LastRevision { get; set; }

    /// <summary>Unsubscribed from the subscription actor while the connection has no valid token.</summary>
    public bool Paused { get; set; }

    /// <summary>Pauses the subscription actor has not confirmed yet: until it does, notifications still on their way
    /// from before the pause are dropped (the resume replays them).</summary>
    public int UnconfirmedPauses { get; set; }

    /// <summary>Notifications of its replay were dropped by an outbound overflow before it was confirmed: the
    /// client gets ReloadAll right after the subscribe reply (it cannot know the id before).</summary>
    public bool ReloadWhenConfirmed { get; set; }

    /// <summary>Subscribed again after a pause, not yet confirmed.</summary>
    public bool Resuming { get; set; }

    public void Delivered(long revision) => LastRevision = Math.Max(LastRevision ?? revision, revision);
}
