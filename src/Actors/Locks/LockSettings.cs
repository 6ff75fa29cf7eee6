using Akka.Configuration;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Locks;

/// <summary>Settings of the lock actor, read from <c>mwg.locks</c> (see hocon/reference.conf).</summary>
/// <param name="GracePeriod">How long the leases of a dropped owner wait for a reclaim before they are freed.</param>
/// <param name="PersistenceId">Persistence id of the lease table's event stream.</param>
/// <param name="SnapshotEvery">Snapshot the lease table after this many events, then delete those events.</param>
/// <param name="JournalPluginId">Journal plugin path; empty for the default journal.</param>
/// <param name="SnapshotPluginId">Snapshot store plugin path; empty for the default snapshot store.</param>
/// <param name="MaxLeasesPerOwner">
/// Leases one owner may hold at once, those in grace after a disconnect included: the owner is the token subject of an
/// authenticated connection of any dialect, else the connection (anonymous). Past it a request is refused with
/// <see cref="LockRefusal.LeaseQuotaExceeded"/>, so no client can lease every prefix.
/// </param>
public sealed record LockSettings(
    TimeSpan GracePeriod,
    string PersistenceId,
    int SnapshotEvery,
    string JournalPluginId,
    string SnapshotPluginId,
    int MaxLeasesPerOwner)
{
    /// <summary>HOCON path of this section.</summary>
    public const string ConfigPath = "mwg.locks";

    /// <summary>Reads and validates <c>mwg.locks</c> from <paramref name="config"/> (the reference config as fallback).</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names its HOCON path.</exception>
    public static LockSettings Create(Config config)
    {
        var c = ConfigReading.Section(config, ConfigPath);
        return new LockSettings(
            ConfigReading.Duration(c, ConfigPath, "grace-period", allowZero: true),
            ConfigReading.String(c, ConfigPath, "persistence-id"),
            ConfigReading.PositiveInt(c, ConfigPath, "snapshot-every"),
            ConfigReading.String(c, ConfigPath, "journal-plugin-id", allowEmpty: true),
            ConfigReading.String(c, ConfigPath, "snapshot-plugin-id", allowEmpty: true),
            ConfigReading.PositiveInt(c, ConfigPath, "max-leases-per-owner"));
    }
}
