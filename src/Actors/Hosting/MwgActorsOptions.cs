using Akka.Configuration;
using MwgActors.Actors.Storage;

namespace MwgActors.Actors.Hosting;

/// <summary>
/// How an app configures the MwgActors it embeds: layers of configuration, each added over the ones before it,
/// all over hocon/reference.conf. The store helpers are layers too, so the last word on a key wins. Layers are
/// read when MwgActors starts (a HOCON file then, not when it is added).
/// </summary>
/// <example>
/// <code>
/// var options = new MwgActorsOptions()
///     .AddHoconFile("mwg.conf")            // the app's settings
///     .UseRocksDb("/var/lib/app/mwg");     // over them: where the data lives
/// </code>
/// </example>
public sealed class MwgActorsOptions
{
    private readonly List<Func<Config>> _layers = [];

    /// <summary>Name of the actor system when MwgActors creates one (AddMwgActors with no ActorSystem of the app).</summary>
    public string SystemName { get; set; } = "mwg";

    /// <summary>Whether no layer was added (the reference configuration alone).</summary>
    public bool IsEmpty => _layers.Count == 0;

    /// <summary>Adds HOCON text, for example <c>mwg.storage.readers = 2</c>.</summary>
    public MwgActorsOptions AddHocon(string hocon)
    {
        ArgumentNullException.ThrowIfNull(hocon);
        var parsed = ConfigurationFactory.ParseString(hocon);
        return AddLayer(() => parsed);
    }

    /// <summary>Adds a HOCON file, read when MwgActors starts.</summary>
    /// <remarks>A missing file stops startup with a <see cref="ConfigurationException"/> naming it.</remarks>
    public MwgActorsOptions AddHoconFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return AddLayer(() => File.Exists(path)
            ? ConfigurationFactory.ParseString(File.ReadAllText(path))
            : throw new ConfigurationException($"no such HOCON file {Path.GetFullPath(path)}"));
    }

    /// <summary>Adds a parsed configuration.</summary>
    public MwgActorsOptions AddConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return AddLayer(() => config);
    }

    /// <summary>Adds a layer computed when MwgActors starts (the Gateway maps <c>IConfiguration</c> this way).</summary>
    public MwgActorsOptions AddLayer(Func<Config> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The view, the change log and the leases in memory: nothing survives a restart (tests, caches).</summary>
    public MwgActorsOptions UseInMemoryStore() => AddHocon("mwg.storage.store = memory");

    /// <summary>The view, the change log and the leases in a RocksDB folder, created when missing.</summary>
    public MwgActorsOptions UseRocksDb(string path, Durability durability = Durability.Wal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return AddHocon($"""
            mwg.storage.store = rocksdb
            mwg.storage.path = {MwgConfig.Quote(path)}
            mwg.storage.durability = {durability.ToString().ToLowerInvariant()}
            """);
    }

    /// <summary>The layers as one configuration, the last added first; <see cref="Config.Empty"/> when there is none.</summary>
    /// <exception cref="ConfigurationException">A layer could not be read.</exception>
    public Config Build()
    {
        var combined = Config.Empty;
        foreach (var layer in _layers)
        {
            var next = layer();
            combined = combined.IsEmpty ? next : next.WithFallback(combined);
        }

        return combined;
    }
}
