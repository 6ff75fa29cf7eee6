using MwgActors.Actors.Auth;
using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// Whether a principal may make a request. A batch is allowed only when every key is: one forbidden key refuses the
/// whole batch, so nothing of it is read or written.
/// </summary>
internal static class RequestAuthorization
{
    public static bool Allows(Principal principal, Request request) => request switch
    {
        Get get => get.Keys.All(key => principal.Allows(Right.Read, key)),
        Put put => put.Pairs.All(pair => principal.Allows(Right.Write, pair.Key)),
        Remove remove => remove.Keys.All(key => principal.Allows(Right.Write, key)),

        // Leased id prefixes are numbers, not keys: any granted lock prefix grants the lock right.
        Protocol.Lock or Unlock => principal.PrefixesFor(Right.Lock).Count > 0,
        Subscribe subscribe => subscribe.Prefixes.All(prefix => MaySubscribe(principal, prefix)),
        _ => true,
    };

    /// <summary>Every key under <paramref name="prefix"/> may be subscribed to and read.</summary>
    public static bool MaySubscribe(Principal principal, byte[] prefix) =>
        principal.AllowsAllUnder(Right.Subscribe, prefix) && principal.AllowsAllUnder(Right.Read, prefix);
}
