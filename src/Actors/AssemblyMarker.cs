namespace MwgActors.Actors;

/// <summary>Anchors the assembly until the actors arrive with the single-node server issue.</summary>
internal static class AssemblyMarker;
