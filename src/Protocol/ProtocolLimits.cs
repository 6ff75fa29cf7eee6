namespace MwgActors.Protocol;

/// <summary>
/// Bounds a decoder enforces before it allocates. Exceeding one is a <see cref="ProtocolException"/> with its
/// own code. <see cref="MaxSubscriptionsPerConnection"/> and <see cref="MaxPrefixBytesPerConnection"/> are enforced
/// by the connection, which counts; the codec carries them (in the server hello) and refuses a subscribe whose own
/// prefixes exceed <see cref="MaxPrefixesPerSubscription"/> or <see cref="MaxPrefixBytesPerConnection"/> while it
/// reads them (<see cref="ErrorCode.TooManyPrefixes"/>).
/// </summary>
public sealed record ProtocolLimits(
    int MaxFrameBytes = ProtocolLimits.DefaultMaxFrameBytes,
    int MaxKeysPerBatch = ProtocolLimits.DefaultMaxKeysPerBatch,
    int MaxKeyBytes = ProtocolLimits.DefaultMaxKeyBytes,
    int MaxValueBytes = ProtocolLimits.DefaultMaxValueBytes,
    int MaxSubscriptionsPerConnection = ProtocolLimits.DefaultMaxSubscriptionsPerConnection,
    int MaxPrefixesPerSubscription = ProtocolLimits.DefaultMaxPrefixesPerSubscription,
    int MaxPrefixBytesPerConnection = ProtocolLimits.DefaultMaxPrefixBytesPerConnection)
{
    public const int DefaultMaxFrameBytes = 4 * 1024 * 1024;
    public const int DefaultMaxKeysPerBatch = 4096;
    public const int DefaultMaxKeyBytes = 1024;
    public const int DefaultMaxValueBytes = 1024 * 1024;
    public const int DefaultMaxSubscriptionsPerConnection = 64;
    public const int DefaultMaxPrefixesPerSubscription = 256;
    public const int DefaultMaxPrefixBytesPerConnection = 64 * 1024;

    /// <summary>Longest reason an error reply carries; longer reasons are cut by the encoders.</summary>
    public const int MaxReasonBytes = 256;

    /// <summary>Longest token an auth request may carry (a JWT with a generous claim set fits).</summary>
    public const int MaxAuthTokenBytes = 8192;

    /// <summary>Longest subject an auth reply carries; longer subjects are cut by the encoders.</summary>
    public const int MaxSubjectBytes = 256;

    public static ProtocolLimits Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a non-positive limit.</summary>
    public ProtocolLimits Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxFrameBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxKeysPerBatch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxKeyBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxValueBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSubscriptionsPerConnection);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPrefixesPerSubscription);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxPrefixBytesPerConnection);
        return this;
    }
}
