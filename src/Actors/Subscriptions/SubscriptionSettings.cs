using Akka.Configuration;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Subscriptions;

/// <summary>Settings of the subscription actor, read from <c>mwg.subscriptions</c> (see hocon/reference.conf).</summary>
/// <param name="StoragePersistenceId">Persistence id of the storage actor, whose journal is the change log.</param>
/// <param name="JournalPluginId">Journal plugin holding that log; empty for akka.persistence.journal.plugin.</param>
/// <param name="ReplayBatchSize">Events read from the journal per request while a subscription catches up.</param>
/// <param name="MaxCatchUpBuffer">Live notifications held per catching-up subscription before it re-reads the journal instead.</param>
/// <param name="MaxMemoryBytes">Estimated bytes all subscriptions together may hold (<see cref="SubscriptionMemory"/>);
/// a subscribe that would pass it is refused.</param>
/// <param name="MaxCatchUpBufferBytes">Bytes of keys and values (plus <see cref="CatchUpChangeOverheadBytes"/> a change) of the live
/// notifications held per catching-up subscription before it re-reads the journal instead.</param>
public sealed record SubscriptionSettings(
    string StoragePersistenceId,
    string JournalPluginId,
    int ReplayBatchSize,
    int MaxCatchUpBuffer,
    long MaxMemoryBytes = SubscriptionSettings.DefaultMaxMemoryBytes,
    long MaxCatchUpBufferBytes = SubscriptionSettings.DefaultMaxCatchUpBufferBytes)
{
    /// <summary>The HOCON section these settings are read from.</summary>
    public const string ConfigPath = "mwg.subscriptions";

    public const long DefaultMaxMemoryBytes = 64L * 1024 * 1024;

    public const long DefaultMaxCatchUpBufferBytes = 8L * 1024 * 1024;

    /// <summary>Bytes counted for each change held in a catch-up buffer beside its key and value (the change and its references).</summary>
    public const int CatchUpChangeOverheadBytes = 32;

    /// <summary>Reads and validates <c>mwg.subscriptions</c> from a configuration that includes the reference fallback.</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names its path.</exception>
    public static SubscriptionSettings Create(Config config)
    {
        var c = ConfigReading.Section(config, ConfigPath);
        return new SubscriptionSettings(
            ConfigReading.String(c, ConfigPath, "storage-persistence-id"),
            ConfigReading.String(c, ConfigPath, "journal-plugin-id", allowEmpty: true),
            ConfigReading.PositiveInt(c, ConfigPath, "replay-batch-size"),
            ConfigReading.PositiveInt(c, ConfigPath, "max-catch-up-buffer"),
            ConfigReading.Bytes(c, ConfigPath, "max-memory"),
            ConfigReading.Bytes(c, ConfigPath, "max-catch-up-buffer-bytes"));
    }
}
