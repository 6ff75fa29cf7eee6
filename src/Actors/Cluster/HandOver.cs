namespace MwgActors.Actors.Cluster;

/// <summary>
/// The termination message the cluster singleton managers send to the writer and to the lock table when the singleton
/// moves (its node leaves). Each answers what is in flight before it stops: the writer runs the handlers of the
/// batches already journaled and refuses new ones as retryable; the lock table, whose commands wait while it
/// persists, stops after its pending replies.
/// </summary>
public sealed record HandOver
{
    public static readonly HandOver Instance = new();

    private HandOver()
    {
    }
}
