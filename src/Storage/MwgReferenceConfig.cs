using Akka.Configuration;

namespace MwgActors.Storage;

/// <summary>
/// The reference configuration of every <c>mwg.*</c> setting (hocon/reference.conf, embedded in this assembly).
/// Use it as the last fallback: <c>ConfigurationFactory.ParseString(userHocon).WithFallback(MwgReferenceConfig.Load())</c>.
/// </summary>
public static class MwgReferenceConfig
{
    /// <summary>The manifest resource name of the embedded reference.conf.</summary>
    public const string ResourceName = "MwgActors.reference.conf";

    private static readonly Lazy<Config> Reference = new(Read);

    /// <summary>The parsed reference configuration (immutable, parsed once).</summary>
    public static Config Load() => Reference.Value;

    private static Config Read()
    {
        using var stream = typeof(MwgReferenceConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from {typeof(MwgReferenceConfig).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
