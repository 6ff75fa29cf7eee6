using Akka.Configuration;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Cluster;

/// <summary>Settings of cluster mode, from <c>mwg.cluster</c>, and the node's roles from <c>akka.cluster.roles</c>.</summary>
/// <param name="Enabled">Run as a node of an Akka.Cluster with the shared SQL journal.</param>
/// <param name="JournalConnectionString">Connection string of the shared journal's database.</param>
/// <param name="JournalProviderName">Linq2Db provider name of that database ("PostgreSQL.15", "SQLite.MS").</param>
/// <param name="JournalRefreshInterval">How often a view polls the journal for events it has not seen.</param>
/// <param name="ReadWaitTimeout">How long a read for "at least revision R" waits for the view to reach R.</param>
/// <param name="LocateInterval">How often a node looks for the writer or the lock table while it does not know where they run.</param>
/// <param name="PositionInterval">How often the writer publishes its last committed revision.</param>
/// <param name="ChangesTopic">DistributedPubSub topic of the committed batches.</param>
/// <param name="Roles">The node's roles (akka.cluster.roles); empty means every role.</param>
public sealed record ClusterSettings(
    bool Enabled,
    string JournalConnectionString,
    string JournalProviderName,
    TimeSpan JournalRefreshInterval,
    TimeSpan ReadWaitTimeout,
    TimeSpan LocateInterval,
    TimeSpan PositionInterval,
    string ChangesTopic,
    IReadOnlyList<string> Roles)
{
    public const string Path = "mwg.cluster";

    /// <summary>Holds websocket connections and runs a subscription actor.</summary>
    public const string GatewayRole = "gateway";

    /// <summary>Keeps a view of the store, serves reads, and may run the writer and the lock table.</summary>
    public const string StorageRole = "storage";

    public bool IsGateway => Roles.Count == 0 || Roles.Contains(GatewayRole);

    public bool IsStorage => Roles.Count == 0 || Roles.Contains(StorageRole);

    public static ClusterSettings Create(Config root)
    {
        var c = ConfigReading.Section(root, Path);
        var roles = root.HasPath("akka.cluster.roles") ? root.GetStringList("akka.cluster.roles") : [];
        foreach (var role in roles)
        {
            if (role is not (GatewayRole or StorageRole))
            {
                throw new ConfigurationException($"invalid setting akka.cluster.roles: '{role}' is not a role of mwg (gateway, storage)");
            }
        }

        var settings = new ClusterSettings(
            ConfigReading.Bool(c, Path, "enabled"),
            ConfigReading.String(c, Path, "journal.connection-string", allowEmpty: true),
            ConfigReading.String(c, Path, "journal.provider-name"),
            ConfigReading.Duration(c, Path, "journal.refresh-interval"),
            ConfigReading.Duration(c, Path, "read-wait-timeout"),
            ConfigReading.Duration(c, Path, "locate-interval"),
            ConfigReading.Duration(c, Path, "position-interval"),
            ConfigReading.String(c, Path, "changes-topic"),
            roles.ToArray());
        if (settings.Enabled && string.IsNullOrWhiteSpace(settings.JournalConnectionString))
        {
            throw ConfigReading.Invalid(Path, "journal.connection-string", "must be set in cluster mode (the shared journal every node reaches; mwg serve --journal)");
        }

        return settings;
    }
}
