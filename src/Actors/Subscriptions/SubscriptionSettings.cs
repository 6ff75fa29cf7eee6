using Akka.Configuration;

namespace MwgActors.Actors.Subscriptions;

/// <summary>Settings of the subscription actor, read from <c>mwg.subscriptions</c> (see hocon/reference.conf).</summary>
/// <param name="StoragePersistenceId">Persistence id of the storage actor, whose journal is the change log.</param>
/// <param name="JournalPluginId">Journal plugin holding that log; empty for akka.persistence.journal.plugin.</param>
/// <param name="ReplayBatchSize">Events read from the journal per request while a subscription catches up.</param>
/// <param name="MaxCatchUpBuffer">Live notifications held per catching-up subscription before it re-reads the journal instead.</param>
public sealed record SubscriptionSettings(
    string StoragePersistenceId,
    string JournalPluginId,
    int ReplayBatchSize,
    int MaxCatchUpBuffer)
{
    /// <summary>The HOCON section these settings are read from.</summary>
    public const string ConfigPath = "mwg.subscriptions";

    /// <summary>Reads and validates <c>mwg.subscriptions</c> from a configuration that includes the reference fallback.</summary>
    /// <exception cref="ConfigurationException">A key is missing or out of range; the message names its path.</exception>
    public static SubscriptionSettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var persistenceId = RequireString(config, "storage-persistence-id");
        if (persistenceId.Length == 0)
        {
            throw new ConfigurationException($"{ConfigPath}.storage-persistence-id must not be empty");
        }

        return new SubscriptionSettings(
            persistenceId,
            RequireString(config, "journal-plugin-id"),
            RequirePositiveInt(config, "replay-batch-size"),
            RequirePositiveInt(config, "max-catch-up-buffer"));
    }

    private static string RequireString(Config config, string key)
    {
        var path = $"{ConfigPath}.{key}";
        if (!config.HasPath(path))
        {
            throw new ConfigurationException($"{path} is missing");
        }

        return config.GetString(path) ?? string.Empty;
    }

    private static int RequirePositiveInt(Config config, string key)
    {
        var path = $"{ConfigPath}.{key}";
        if (!config.HasPath(path))
        {
            throw new ConfigurationException($"{path} is missing");
        }

        int value;
        try
        {
            value = config.GetInt(path);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ConfigurationException)
        {
            throw new ConfigurationException($"{path} must be a positive integer", ex);
        }

        if (value <= 0)
        {
            throw new ConfigurationException($"{path} must be a positive integer, was {value}");
        }

        return value;
    }
}
