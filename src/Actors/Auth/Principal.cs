namespace MwgActors.Actors.Auth;

/// <summary>
/// Who a connection acts for and what it may do: per right, the key prefixes it is granted (an empty prefix grants
/// every key). Built from a validated token; <see cref="Anonymous"/> when authentication is off.
/// </summary>
public sealed class Principal
{
    private static readonly IReadOnlyList<byte[]> Everything = [[]];

    private readonly IReadOnlyDictionary<Right, IReadOnlyList<byte[]>> _grants;

    /// <param name="clockSkew">How long after <paramref name="expiresAt"/> the token is still honoured
    /// (<c>mwg.auth.clock-skew</c>): part of the one expiry rule, <see cref="IsExpired"/>.</param>
    public Principal(string subject, IReadOnlyDictionary<Right, IReadOnlyList<byte[]>> grants, DateTimeOffset? expiresAt, TimeSpan clockSkew = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentNullException.ThrowIfNull(grants);
        ArgumentOutOfRangeException.ThrowIfLessThan(clockSkew, TimeSpan.Zero);
        Subject = subject;
        _grants = grants;
        ExpiresAt = expiresAt;
        ClockSkew = clockSkew;
    }

    /// <summary>Every right on every key, never expiring: the principal of every connection when authentication is off.</summary>
    public static Principal Anonymous { get; } = new(
        "anonymous",
        Enum.GetValues<Right>().ToDictionary(r => r, _ => Everything),
        null);

    public string Subject { get; }

    /// <summary>When the token stops being valid; null for tokens that do not expire (API keys, anonymous).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The prefixes granted for <paramref name="right"/> (none when the right is not granted).</summary>
    public IReadOnlyList<byte[]> PrefixesFor(Right right) => _grants.TryGetValue(right, out var prefixes) ? prefixes : [];

    /// <summary>The tolerance after <see cref="ExpiresAt"/> for clocks that disagree with the token's minter.</summary>
    public TimeSpan ClockSkew { get; }

    /// <summary>The first instant the token is no longer honoured (<see cref="ExpiresAt"/> + <see cref="ClockSkew"/>); null = never.</summary>
    public DateTimeOffset? ValidUntil => ExpiresAt is { } expiry ? (expiry > DateTimeOffset.MaxValue - ClockSkew ? DateTimeOffset.MaxValue : expiry + ClockSkew) : null;

    /// <summary>
    /// The one expiry rule, used by every path that accepts a token (the handshake and HTTP through the validator,
    /// in-band auth, and the connection before every request): expired once <paramref name="now"/> &gt;= <see cref="ValidUntil"/>.
    /// </summary>
    public bool IsExpired(DateTimeOffset now) => ValidUntil is { } until && now >= until;

    /// <summary>True when <paramref name="key"/> is under a prefix granted for <paramref name="right"/>.</summary>
    public bool Allows(Right right, ReadOnlySpan<byte> key)
    {
        foreach (var prefix in PrefixesFor(right))
        {
            if (key.StartsWith(prefix))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when every key under <paramref name="prefix"/> is allowed: the prefix itself is under a granted prefix.
    /// (A subscription to "a" with read rights on "a/b" only is not wholly allowed.)
    /// </summary>
    public bool AllowsAllUnder(Right right, ReadOnlySpan<byte> prefix) => Allows(right, prefix);
}
