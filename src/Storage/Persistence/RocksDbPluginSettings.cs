using Akka.Configuration;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Persistence;

/// <summary>
/// Typed settings of the RocksDB journal or snapshot store, read from the plugin's HOCON section
/// (<c>mwg.persistence.journal</c> or <c>mwg.persistence.snapshot-store</c>; see hocon/reference.conf).
/// </summary>
/// <param name="ConfigPath">The plugin id (its HOCON path), named in errors.</param>
/// <param name="Path">Folder of the RocksDB database; a folder shared with the data store shares one RocksDB instance.</param>
/// <param name="SyncWrites">When true each write is fsynced before it is confirmed.</param>
public sealed record RocksDbPluginSettings(string ConfigPath, string Path, bool SyncWrites)
{
    /// <summary>Reads and validates the plugin section.</summary>
    /// <exception cref="ConfigurationException">A key is missing or has an invalid value; the message names its HOCON path.</exception>
    public static RocksDbPluginSettings Create(Config config, string configPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(configPath);

        var path = Read(config, configPath, "path", c => c.GetString("path", null));
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ConfigurationException($"{configPath}.path must name a folder");
        }

        var syncWrites = Read(config, configPath, "sync-writes", c => c.GetBoolean("sync-writes", false));
        return new RocksDbPluginSettings(configPath, path, syncWrites);
    }

    /// <summary>Options to open the folder with when this plugin is its first user in the process.</summary>
    public RocksDbSettings ToRocksDbSettings() => new(Path, SyncWrites);

    private static T Read<T>(Config config, string configPath, string key, Func<Config, T> read)
    {
        try
        {
            return read(config);
        }
        catch (Exception ex) when (ex is ConfigurationException or FormatException or InvalidCastException or ArgumentException or NotSupportedException)
        {
            throw new ConfigurationException($"{configPath}.{key} has an invalid value: {ex.Message}", ex);
        }
    }
}
