using Akka.Configuration;

namespace MwgActors.Actors.Locks;

/// <summary>Settings of the lock actor, read from <c>mwg.locks</c> (see hocon/reference.conf).</summary>
/// <param name="GracePeriod">How long the leases of a dropped owner wait for a reclaim before they are freed.</param>
/// <param name="PersistenceId">Persistence id of the lease table's event stream.</param>
/// <param name="SnapshotEvery">Snapshot the lease table after this many events, then delete those events.</param>
/// <param name="JournalPluginId">Journal plugin path; empty for the default journal.</param>
/// <param name="SnapshotPluginId">Snapshot store plugin path; empty for the default snapshot store.</param>
public sealed record LockSettings(
    TimeSpan GracePeriod,
    string PersistenceId,
    int SnapshotEvery,
    string JournalPluginId,
    string SnapshotPluginId)
{
    /// <summary>HOCON path of this section.</summary>
    public const string ConfigPath = "mwg.locks";

    /// <summary>Reads and validates <c>mwg.locks</c> from <paramref name="config"/> (the reference config as fallback).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names its HOCON path.</exception>
    public static LockSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!config.HasPath(ConfigPath))
        {
            throw new ConfigurationException($"missing section '{ConfigPath}' (is reference.conf a fallback?)");
        }

        var section = config.GetConfig(ConfigPath);
        var grace = Read(section, "grace-period", c => c.GetTimeSpan("grace-period", null, allowInfinite: false));
        if (grace < TimeSpan.Zero)
        {
            throw Invalid("grace-period", "must not be negative");
        }

        var persistenceId = Read(section, "persistence-id", c => c.GetString("persistence-id"));
        if (string.IsNullOrWhiteSpace(persistenceId))
        {
            throw Invalid("persistence-id", "must not be empty");
        }

        var snapshotEvery = Read(section, "snapshot-every", c => c.GetInt("snapshot-every"));
        if (snapshotEvery < 1)
        {
            throw Invalid("snapshot-every", "must be at least 1");
        }

        return new LockSettings(
            grace,
            persistenceId,
            snapshotEvery,
            Read(section, "journal-plugin-id", c => c.GetString("journal-plugin-id")) ?? string.Empty,
            Read(section, "snapshot-plugin-id", c => c.GetString("snapshot-plugin-id")) ?? string.Empty);
    }

    private static T Read<T>(Config section, string key, Func<Config, T> read)
    {
        if (!section.HasPath(key))
        {
            throw new ConfigurationException($"missing setting '{ConfigPath}.{key}'");
        }

        try
        {
            return read(section);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ConfigurationException or InvalidCastException)
        {
            throw new ConfigurationException($"invalid value for '{ConfigPath}.{key}'", ex);
        }
    }

    private static ConfigurationException Invalid(string key, string why) =>
        new($"invalid value for '{ConfigPath}.{key}': {why}");
}
