namespace MwgActors.Client;

/// <summary>An id prefix the server leased to this client, and the token that reclaims it after a reconnect.</summary>
public sealed record PrefixLease(int Prefix, ReadOnlyMemory<byte> Token);
