using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>A request sent on to another actor, waiting for its reply.</summary>
internal readonly record struct PendingRequest(RequestId Id, RequestKind Kind, long DeadlineTicks);

internal enum RequestKind
{
    Get,
    Put,
    Remove,
    Lock,
    Unlock,
    Subscribe,
    Unsubscribe,
}
