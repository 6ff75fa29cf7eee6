using MwgActors.Actors.Auth;
using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>What of a subscription's changes a connection may send: only the keys its token may read.</summary>
internal static class ReadableChanges
{
    /// <summary>
    /// The list itself when <paramref name="reader"/> may read every key (the common case: the subscription actor's
    /// list, shared with other subscribers, goes out without a copy), else a new array of the readable changes.
    /// </summary>
    public static IReadOnlyList<Change> Of(IReadOnlyList<Change> changes, Principal reader)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            if (!reader.Allows(Right.Read, changes[i].Key))
            {
                return changes.Where(c => reader.Allows(Right.Read, c.Key)).ToArray();
            }
        }

        return changes;
    }
}
