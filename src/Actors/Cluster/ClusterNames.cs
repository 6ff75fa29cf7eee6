namespace MwgActors.Actors.Cluster;

/// <summary>Actor names under /user that nodes address on each other in cluster mode.</summary>
internal static class ClusterNames
{
    /// <summary>A storage node's view (<see cref="StorageViewActor"/>).</summary>
    public const string View = "mwg-view";

    /// <summary>This node's sequencer of the change stream.</summary>
    public const string Changes = "mwg-changes";
}
