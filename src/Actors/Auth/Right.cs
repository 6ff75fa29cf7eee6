namespace MwgActors.Actors.Auth;

/// <summary>What a token may do under a key prefix.</summary>
public enum Right
{
    /// <summary>Get keys, and receive them in notifications.</summary>
    Read,

    /// <summary>Put and remove keys.</summary>
    Write,

    /// <summary>Subscribe to a prefix (notifications still only carry keys the token may read).</summary>
    Subscribe,

    /// <summary>Lease an id prefix (lock / unlock).</summary>
    Lock,

    /// <summary>Force reloads (admin).</summary>
    Reload,
}
