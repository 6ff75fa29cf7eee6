using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>The setting behind a decoder's limit error, named in the connection's once-only log of a limit exceeded.</summary>
internal static class LimitSettings
{
    /// <summary>The setting <paramref name="code"/> reports exceeded, or null when it is not a limit's error.</summary>
    public static string? Of(ErrorCode code) => code switch
    {
        ErrorCode.FrameTooLarge => "mwg.protocol.max-frame-size",
        ErrorCode.TooManyKeys => "mwg.protocol.max-keys-per-batch",
        ErrorCode.KeyTooLarge => "mwg.protocol.max-key-size",
        ErrorCode.ValueTooLarge => "mwg.protocol.max-value-size",
        ErrorCode.TooManyPrefixes => "mwg.protocol.max-prefixes-per-subscription or max-prefix-bytes-per-connection",
        _ => null,
    };
}
