using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// The type 5 push an original (G1) client gets for committed changes: the original server pushed every put, as
/// key/value pairs. Removals are not pushed (G1 has no frame for them), nor keys the connection may not read.
/// </summary>
internal static class G1Pushes
{
    /// <summary>The push for <paramref name="changes"/>, or null when none of them is a readable put.</summary>
    public static ReloadPairs? Of(IReadOnlyList<Change> changes, Func<byte[], bool> mayRead)
    {
        var pairs = changes.Where(c => !c.Removed && c.Value is not null && mayRead(c.Key)).Select(c => new KeyValue(c.Key, c.Value!)).ToArray();
        return pairs.Length > 0 ? new ReloadPairs(pairs) : null;
    }
}
