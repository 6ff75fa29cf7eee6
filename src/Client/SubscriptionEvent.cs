using MwgActors.Protocol;

namespace MwgActors.Client;

/// <summary>What a <see cref="ClientSubscription"/> delivers to the application.</summary>
public abstract record SubscriptionEvent;

/// <summary>The keys that changed at <see cref="Revision"/>. Delivered once per revision, in revision order.</summary>
public sealed record ChangesReceived(long Revision, IReadOnlyList<Change> Changes) : SubscriptionEvent;

/// <summary>The server asks to drop and fetch again these keys and everything under these prefixes.</summary>
public sealed record ReloadRequested(IReadOnlyList<byte[]> Keys, IReadOnlyList<byte[]> Prefixes) : SubscriptionEvent;

/// <summary>
/// The resume point was older than the server's history: drop and reload everything under the subscription's
/// prefixes. Changes after <see cref="Revision"/> follow as <see cref="ChangesReceived"/>.
/// </summary>
public sealed record ReloadEverything(long Revision) : SubscriptionEvent;

/// <summary>The server pushed values to take as they are (mwDB's forced reload, G1 type 5).</summary>
public sealed record ValuesPushed(IReadOnlyList<KeyValue> Pairs) : SubscriptionEvent;
