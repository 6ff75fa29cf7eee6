namespace MwgActors.Protocol;

/// <summary>The wire dialect of a connection, chosen by its websocket subprotocol.</summary>
public enum Dialect
{
    /// <summary>No subprotocol: the original mwDB binary protocol, byte for byte. No frame it does not know is ever sent.</summary>
    G1,

    /// <summary><c>mwg.v1</c>: G1 plus the extension frame types.</summary>
    Extended,

    /// <summary><c>mwg.json.v1</c>: JSON text frames with rooms.</summary>
    Json,
}

public static class Subprotocols
{
    public const string Extended = "mwg.v1";
    public const string Json = "mwg.json.v1";

    /// <summary>Protocol version announced in the hello.</summary>
    public const int Version = 1;

    /// <summary>
    /// Picks the dialect from the subprotocols a client offered, and the one to answer with (null for G1).
    /// The first offered that we know wins; none known means G1.
    /// </summary>
    public static (Dialect Dialect, string? Subprotocol) Select(IEnumerable<string> offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        foreach (var name in offered)
        {
            if (string.Equals(name, Extended, StringComparison.Ordinal))
            {
                return (Dialect.Extended, Extended);
            }

            if (string.Equals(name, Json, StringComparison.Ordinal))
            {
                return (Dialect.Json, Json);
            }
        }

        return (Dialect.G1, null);
    }
}
