namespace MwgActors.Client;

/// <summary>Options of <see cref="MwgClient.SubscribeAsync"/>.</summary>
public sealed record SubscribeOptions
{
    /// <summary>Resume after this revision: the changes after it are replayed first. Null: from now on.</summary>
    public long? AfterRevision { get; init; }

    /// <summary>Notifications carry the written values.</summary>
    public bool IncludeValues { get; init; }
}
