using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>
/// What the connection does when its outbound queue is full (<c>mwg.connection.outbound-overflow</c>): close, or drop
/// the notifications the client did not read and have every subscription reload. Replies are never dropped: a reply
/// that did not fit is queued again after the reloads. G1 always closes (it has no reload signal).
/// </summary>
internal sealed class OutboundPolicy(OverflowPolicy policy, DialectFallbacks fallbacks)
{
    private bool _overflowed;

    /// <summary>The connection closes on an overflow.</summary>
    public bool Closes => policy == OverflowPolicy.Close || fallbacks.Overflow.Action == FallbackAction.Close;

    /// <summary>Pushes may be dropped on overflow (a reload signal covers them); replies never are, nor is the expiry.</summary>
    public static bool IsDroppable(ProtocolMessage message) => message is Push and not TokenExpired;

    /// <summary>True the first time only: an overflow is logged once per connection.</summary>
    public bool FirstOverflow()
    {
        var first = !_overflowed;
        _overflowed = true;
        return first;
    }

    /// <summary>
    /// Drops the droppable frames, then queues <paramref name="reloads"/> (read lazily, in order) and the
    /// <paramref name="reply"/> that did not fit. False when they do not all fit: the client is not reading at all.
    /// </summary>
    public static bool TryReload(IConnectionOutput output, IEnumerable<byte[]> reloads, byte[]? reply, out int dropped, out int reloadsQueued)
    {
        dropped = output.DropDroppable();
        reloadsQueued = 0;
        foreach (var reload in reloads)
        {
            if (!output.TryEnqueue(reload, droppable: false))
            {
                return false;
            }

            reloadsQueued++;
        }

        return reply is null || output.TryEnqueue(reply, droppable: false);
    }
}
