namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// What one subscription is estimated to cost the subscription actor, in bytes, counted before anything is
/// allocated for it: the server-wide budget (<c>mwg.subscriptions.max-memory</c>) and the gauge
/// <c>mwg.subscriptions.memory</c> add these up. An upper bound more than an exact figure: prefixes are counted as
/// sent (a repeated one too), and every copy a subscription may hold is counted whether or not it exists yet.
/// </summary>
internal static class SubscriptionMemory
{
    /// <summary>The subscription, its catch-up state, its entries in the actor's dictionaries, its prefix list.</summary>
    public const long PerSubscription = 512;

    /// <summary>
    /// Per prefix besides its bytes: its array's header, and the at most two radix trie nodes it adds in the shared
    /// trie and in the subscription's own one (object, children array, values list).
    /// </summary>
    public const long PerPrefix = 256;

    /// <summary>
    /// Copies of a prefix's bytes a subscription may hold: its own copy, the shared trie's label, and the label in
    /// the trie it builds for itself when it replays the journal.
    /// </summary>
    public const long CopiesPerPrefix = 3;

    public static long Estimate(IReadOnlyList<byte[]> prefixes)
    {
        var bytes = PerSubscription;
        foreach (var prefix in prefixes)
        {
            bytes += PerPrefix + (CopiesPerPrefix * prefix.Length);
        }

        return bytes;
    }
}
