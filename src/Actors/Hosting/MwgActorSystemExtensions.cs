using Akka.Actor;
using Akka.Configuration;

namespace MwgActors.Actors.Hosting;

/// <summary>Starts MwgActors inside an actor system the app already has.</summary>
public static class MwgActorSystemExtensions
{
    private static readonly Lock Gate = new();

    /// <summary>
    /// Starts the storage, subscription and lock actors in <paramref name="system"/> (once; later calls return the
    /// same extension) and returns the extension, whose <see cref="MwgActorsExtension.Store"/> is the in-process API.
    /// The options, any <c>mwg</c> section of the system's own configuration and reference.conf are added to the
    /// system as a fallback, so the app's own settings stay as they were; a key the options and the system's
    /// configuration both set must agree. MwgActors names its journal and snapshot store in its own plugin ids, so
    /// the app's persistent actors keep their default journal.
    /// </summary>
    /// <exception cref="ConfigurationException">
    /// A setting is invalid, or the system's own configuration sets a key to another value than the options do
    /// (for example a system made with <see cref="MwgConfig.Build"/> for another store): set it in one place.
    /// </exception>
    /// <exception cref="InvalidOperationException">MwgActors already runs in this system and options were given.</exception>
    /// <exception cref="MwgActors.Storage.StoreException">The data folder is in use, not accessible or corrupt.</exception>
    public static MwgActorsExtension UseMwgActors(this ActorSystem system, MwgActorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        lock (Gate)
        {
            if (system.HasExtension<MwgActorsExtension>())
            {
                return options.IsEmpty
                    ? MwgActorsExtension.Get(system)
                    : throw new InvalidOperationException($"MwgActors already runs in actor system '{system.Name}'; its configuration cannot change");
            }

            Configure(system, options.Build());
            return MwgActorsExtension.Get(system);
        }
    }

    /// <summary>
    /// Adds <paramref name="layers"/>, the system's own <c>mwg</c> section and reference.conf to the system, as a
    /// fallback, with the derived plugin settings (<see cref="MwgConfig.ForExistingSystem"/>). On a system made with
    /// <see cref="MwgConfig.Build"/> and no layers, this adds nothing the system does not already say.
    /// </summary>
    internal static void Configure(ActorSystem system, Config layers)
    {
        var current = system.Settings.Config;
        var own = current.HasPath("mwg") ? current.GetValue("mwg").AtKey("mwg") : null;
        var user = own is null ? layers : layers.IsEmpty ? own : layers.WithFallback(own);
        var config = MwgConfig.ForExistingSystem(user);
        system.Settings.InjectTopLevelFallback(config);
        RefuseOverriddenSettings(system.Settings.Config, config);
    }

    /// <inheritdoc cref="UseMwgActors(ActorSystem, MwgActorsOptions)"/>
    public static MwgActorsExtension UseMwgActors(this ActorSystem system, Action<MwgActorsOptions>? configure = null)
    {
        var options = new MwgActorsOptions();
        configure?.Invoke(options);
        return system.UseMwgActors(options);
    }

    /// <summary>
    /// The system's own configuration wins over an injected fallback. Where it set an mwg key to another value than
    /// the options ask, the journal and the view would disagree (a folder, a store kind): refuse, naming the key.
    /// </summary>
    private static void RefuseOverriddenSettings(Config actual, Config wanted)
    {
        foreach (var (path, value) in Leaves(wanted.GetConfig("mwg"), "mwg"))
        {
            var got = actual.GetValue(path)?.ToString();
            if (!string.Equals(got, value, StringComparison.Ordinal))
            {
                throw new ConfigurationException(
                    $"the actor system's configuration sets {path} to '{got}', the MwgActors options to '{value}': set it in one place");
            }
        }
    }

    private static IEnumerable<(string Path, string Value)> Leaves(Config? section, string path)
    {
        if (section is null)
        {
            yield break;
        }

        foreach (var (key, value) in section.AsEnumerable())
        {
            var child = $"{path}.{key}";
            if (value.IsObject())
            {
                foreach (var leaf in Leaves(section.GetConfig(key), child))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return (child, value.ToString());
            }
        }
    }
}
