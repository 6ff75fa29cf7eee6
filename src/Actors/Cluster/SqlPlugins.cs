namespace MwgActors.Actors.Cluster;

/// <summary>The plugin ids of Akka.Persistence.Sql that cluster mode uses for the shared journal.</summary>
public static class SqlPlugins
{
    public const string Journal = "akka.persistence.journal.sql";

    public const string SnapshotStore = "akka.persistence.snapshot-store.sql";

    public const string Query = "akka.persistence.query.journal.sql";
}
