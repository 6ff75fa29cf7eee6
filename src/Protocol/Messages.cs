namespace MwgActors.Protocol;

// One transport-neutral model for every dialect. Messages own their arrays (decoders copy out of the
// receive buffer); records compare arrays by reference, so compare contents where it matters.

/// <summary>Anything that travels on a connection.</summary>
public abstract record ProtocolMessage;

/// <summary>A client's request; its reply echoes <see cref="Id"/>.</summary>
public abstract record Request(RequestId Id) : ProtocolMessage;

/// <summary>The server's answer to one request.</summary>
public abstract record Reply(RequestId Id) : ProtocolMessage;

/// <summary>Sent by the server unasked: notifications, reloads, hello.</summary>
public abstract record Push : ProtocolMessage;

/// <summary>One key and its value.</summary>
public readonly record struct KeyValue(byte[] Key, byte[] Value);

/// <summary>A prefix the client held and the lease token the server gave it, to reclaim after a reconnect.</summary>
public sealed record LeaseClaim(int Prefix, byte[] Token);

/// <summary>One changed key of a notification: removed, or written (with its value when the subscription asked for values).</summary>
public readonly record struct Change(byte[] Key, bool Removed, byte[]? Value);

// Requests

/// <summary>Reads keys. <paramref name="MinRevision"/> (0 = none) asks for a view that has applied at least that revision:
/// in cluster mode the server waits for it, so a client reads its own writes through any node.</summary>
public sealed record Get(RequestId Id, IReadOnlyList<byte[]> Keys, long MinRevision = 0) : Request(Id);

public sealed record Put(RequestId Id, IReadOnlyList<KeyValue> Pairs) : Request(Id);

public sealed record Remove(RequestId Id, IReadOnlyList<byte[]> Keys) : Request(Id);

/// <summary>Asks for a free id prefix, or (with <see cref="Reclaim"/>) for the one held before a reconnect.</summary>
public sealed record Lock(RequestId Id, LeaseClaim? Reclaim = null) : Request(Id);

/// <summary>Releases a prefix; the token proves the connection holds it.</summary>
public sealed record Unlock(RequestId Id, int Prefix, byte[] Token) : Request(Id);

/// <summary>
/// Subscribes to every key starting with one of <see cref="Prefixes"/> (the empty prefix means every key).
/// <see cref="SinceRevision"/> is the last revision the client has seen: changes after it are replayed.
/// </summary>
public sealed record Subscribe(RequestId Id, IReadOnlyList<byte[]> Prefixes, long? SinceRevision, bool IncludeValues) : Request(Id);

public sealed record Unsubscribe(RequestId Id, long SubscriptionId) : Request(Id);

/// <summary>Heartbeat. With <see cref="RequestId.None"/> it is JSON's application heartbeat <c>{"p":1}</c>.</summary>
public sealed record Ping(RequestId Id) : Request(Id);

/// <summary>Presents a token in-band (extended and JSON dialects): first, or again when the previous one expired.</summary>
public sealed record Auth(RequestId Id, string Token) : Request(Id);

// Replies

/// <summary>One value per key, in key order; <c>null</c> for a missing key. G1 cannot tell missing from
/// empty: it sends (and decodes) an empty value for both.</summary>
public sealed record GetResult(RequestId Id, IReadOnlyList<byte[]?> Values) : Reply(Id);

/// <summary>The put was written (or not). <see cref="Revision"/> is the store revision after it; G1 does not carry it.</summary>
public sealed record PutResult(RequestId Id, bool Ok, long? Revision = null) : Reply(Id);

/// <summary>
/// The remove was applied (or not). Removes of keys that do not exist change nothing (as in etcd): a remove that
/// changed nothing takes no revision, and <see cref="Revision"/> is then the current one. <see cref="Changed"/>, the
/// number of keys it removed, travels in the JSON dialect only (null when not known).
/// </summary>
public sealed record RemoveResult(RequestId Id, bool Ok, long? Revision = null, int? Changed = null) : Reply(Id);

/// <summary>The granted prefix and its lease token (G1's prefix reply carries no token).</summary>
public sealed record LockResult(RequestId Id, int Prefix, byte[]? LeaseToken) : Reply(Id);

public sealed record UnlockResult(RequestId Id) : Reply(Id);

/// <summary>The subscription's id and the store revision it starts from.</summary>
public sealed record Subscribed(RequestId Id, long SubscriptionId, long CurrentRevision) : Reply(Id);

public sealed record Unsubscribed(RequestId Id) : Reply(Id);

public sealed record Pong(RequestId Id) : Reply(Id);

/// <summary>The token was accepted: who the connection now acts for and when the token expires (Unix ms; null = never).</summary>
public sealed record AuthResult(RequestId Id, string Subject, long? ExpiresAtUnixMs) : Reply(Id);

/// <summary>A request failed. <see cref="Reason"/> is short and safe for the wire (never an exception message).</summary>
public sealed record Error(RequestId Id, ErrorCode Code, string Reason) : Reply(Id);

// Pushes

/// <summary>Keys that changed at <see cref="Revision"/> under a subscription's prefixes.</summary>
public sealed record ChangeNotification(long SubscriptionId, long Revision, IReadOnlyList<Change> Changes) : Push;

/// <summary>G1's type 5 push: the pairs the client must take as the new values.</summary>
public sealed record ReloadPairs(IReadOnlyList<KeyValue> Pairs) : Push;

/// <summary>Keys and prefixes the client must drop and fetch again, for one subscription or (null) the connection.</summary>
public sealed record ReloadKeys(long? SubscriptionId, IReadOnlyList<byte[]> Keys, IReadOnlyList<byte[]> Prefixes) : Push;

/// <summary>The resume point was too old: drop and reload everything under the subscription's prefixes.</summary>
public sealed record ReloadAll(long SubscriptionId) : Push;

/// <summary>The connection's token expired: requests are refused and subscriptions paused until an <see cref="Auth"/>
/// with a new token, after which they resume where they stopped.</summary>
public sealed record TokenExpired : Push;

/// <summary>Sent once on connect to clients that negotiated an extended dialect.</summary>
public sealed record Hello(int Version, string ServerId, ProtocolLimits Limits) : Push;
