using Akka.Configuration;
using MwgActors.Storage;

namespace MwgActors.Actors.Hosting;

/// <summary>
/// The reference configuration of an actor system that runs MwgActors: the serializers of this assembly
/// (hocon/serialization.conf, embedded here) over every <c>mwg.*</c> setting (<see cref="MwgReferenceConfig"/>).
/// </summary>
/// <remarks>
/// The bindings live here, not in MwgActors.Storage's reference.conf, because they name types of this assembly:
/// a system that uses the stores alone would warn once for every binding it cannot resolve.
/// </remarks>
public static class MwgActorsReferenceConfig
{
    /// <summary>The manifest resource name of the embedded serialization.conf.</summary>
    public const string SerializationResourceName = "MwgActors.Actors.serialization.conf";

    private static readonly Lazy<Config> Reference = new(Read);

    /// <summary>The parsed reference configuration (immutable, parsed once).</summary>
    public static Config Load() => Reference.Value;

    private static Config Read()
    {
        var assembly = typeof(MwgActorsReferenceConfig).Assembly;
        using var stream = assembly.GetManifestResourceStream(SerializationResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {SerializationResourceName} is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd()).WithFallback(MwgReferenceConfig.Load());
    }
}
