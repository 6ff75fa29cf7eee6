using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>A request sent on to another actor, waiting for its reply.</summary>
/// <param name="DeadlineTicks">When it times out (<see cref="TimeProvider.GetTimestamp"/> of the table's clock).</param>
/// <param name="StartedAt">When it was decoded (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for its latency.</param>
internal readonly record struct PendingRequest(RequestId Id, RequestKind Kind, long DeadlineTicks, long StartedAt);

/// <summary>The type of a request; also the <c>type</c> tag of the request metrics (lower case).</summary>
internal enum RequestKind
{
    Get,
    Put,
    Remove,
    Lock,
    Unlock,
    Subscribe,
    Unsubscribe,
    Ping,
    Auth,

    /// <summary>A frame that could not be decoded, so its type is not known.</summary>
    Unknown,
}
