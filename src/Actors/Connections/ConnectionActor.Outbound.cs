using Akka.Actor;
using Akka.Event;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using Error = MwgActors.Protocol.Error;
using MwgActors.Protocol.Binary;

namespace MwgActors.Actors.Connections;

/// <summary>Everything that goes out: replies, pushes, the G1 push gate, the overflow policy and paced replays.</summary>
public sealed partial class ConnectionActor
{
    /// <summary>Answers a request and frees its slot.</summary>
    private void Reply(ProtocolMessage reply)
    {
        Send(reply);
        _output.RequestCompleted();
        if (_g1Gate is not null && reply is Protocol.Reply answered)
        {
            _g1Gate.Answered(G1Requests.IdDecodesToZero(answered.Id));
            ReleaseG1Pushes();
        }
    }

    /// <summary>Queues <paramref name="message"/>; false when it was not queued (closing, not representable, overflow).</summary>
    private bool Send(ProtocolMessage message)
    {
        if (_closing)
        {
            return false;
        }

        if (message is GetResult escaped && _codec.EscapesPass(escaped, _settings.OutboundMaxBytes))
        {
            // Read within its budget, but JSON escapes would make its frame larger than could ever be queued: refused
            // before the frame is built.
            return Send(ReplyTooLarge(escaped.Id));
        }

        byte[] frame;
        try
        {
            frame = _codec.Encode(message);
        }
        catch (ProtocolException ex) when (ex.Code == ErrorCode.NotRepresentable)
        {
            NotRepresentable(message);
            return false;
        }

        var droppable = OutboundPolicy.IsDroppable(message);
        if (_output.TryEnqueue(frame, droppable))
        {
            return true;
        }

        OnOverflow(droppable ? null : frame);
        return false;
    }

    /// <summary>A message the dialect cannot write: an error frame, a close (G1's only signal for a reply), or nothing (a push).</summary>
    private void NotRepresentable(ProtocolMessage message)
    {
        var fallback = message switch
        {
            Error { Code: ErrorCode.ReplyTooLarge } => _fallbacks.ReplyTooLargeNotRepresentable,
            Protocol.Reply => _fallbacks.ReplyNotRepresentable,
            _ => _fallbacks.PushNotRepresentable,
        };
        // Sent in place of the reply, whose Reply frees the slot.
        var error = message is Protocol.Reply reply ? new Error(reply.Id, ErrorCode.NotRepresentable, "the value cannot be written in this dialect") : null;
        ApplyFallback(fallback, error, freesSlot: false);
    }

    /// <summary>
    /// Does what the dialect's <paramref name="fallback"/> says (<see cref="DialectFallbacks"/>): closes the socket, or
    /// sends <paramref name="frame"/> (an error frame, or the push the extended dialects send) or
    /// <paramref name="falseAnswer"/>, or nothing. True when it closed. The one place a fallback is carried out.
    /// </summary>
    /// <param name="freesSlot">False for a frame sent in place of a reply that frees the request's slot itself.</param>
    private bool ApplyFallback(Fallback fallback, ProtocolMessage? frame, ProtocolMessage? falseAnswer = null, bool freesSlot = true)
    {
        if (fallback.Action == FallbackAction.Close)
        {
            CloseWith(fallback.CloseCode, fallback.CloseReason);
            return true;
        }

        if (fallback.AnswerOf(frame, falseAnswer) is { } answer)
        {
            if (freesSlot)
            {
                Reply(answer);
            }
            else
            {
                Send(answer);
            }
        }

        return false;
    }

    /// <param name="reply">The reply that did not fit, if it was a reply: it is queued again once there is room.</param>
    private void OnOverflow(byte[]? reply)
    {
        if (_outbound.FirstOverflow())
        {
            _log.Warning("Outbound queue overflow on a {Dialect} connection; policy {Policy}", _codec.Dialect, _settings.OverflowPolicy);
        }

        if (_outbound.Closes)
        {
            _metrics.OutboundOverflowed(_codec.Dialect, closed: true);
            CloseWith(CloseCodes.PolicyViolation, "outbound queue overflow");
            return;
        }

        // Drop the notifications the client did not read and tell every subscription to reload. Replies stay queued:
        // a request is always answered. If even the reload signals (and the reply) do not fit, the client is not
        // reading at all.
        _subscriptions.Overflowed(_reloadIds);
        var fits = OutboundPolicy.TryReload(_output, _reloadIds.Select(id => _codec.Encode(new ReloadAll(id))), reply, out var dropped, out var reloads);
        _metrics.OutboundDropped(_codec.Dialect, dropped);
        _metrics.ReloadSent(ReloadReason.Overflow, reloads);
        _metrics.OutboundOverflowed(_codec.Dialect, closed: !fits);
        if (!fits)
        {
            CloseWith(CloseCodes.PolicyViolation, "outbound queue overflow");
        }
    }

    /// <summary>A type 5 push, sent now or held by the gate (finding 9 of issue 14); false when it was not queued.</summary>
    private bool SendG1Push(ReloadPairs push)
    {
        if (_g1Gate is null || _g1Gate.IsOpen)
        {
            return Send(push);
        }

        if (_closing)
        {
            return false;
        }

        byte[] frame;
        try
        {
            frame = _codec.Encode(push);
        }
        catch (ProtocolException ex) when (ex.Code == ErrorCode.NotRepresentable)
        {
            return false;
        }

        if (_g1Gate.TryHold(frame))
        {
            return true;
        }

        OnOverflow(null);
        return false;
    }

    /// <summary>Sends the held pushes, in order, once the gate is open.</summary>
    private void ReleaseG1Pushes()
    {
        if (!_closing && !_g1Gate!.ReleaseInto(_output))
        {
            OnOverflow(null);
        }
    }

    /// <summary>A replay chunk went out: the next is asked for once the outbound queue has room (<see cref="ReplayPacing"/>).</summary>
    private void OnReplayChunkSent(long token, IActorRef subscriptions)
    {
        _replays.ChunkSent(token, subscriptions);
        ContinueReplays();
    }

    /// <summary>Continues the waiting replays if the queue is down to its low-water mark, else asks the socket side to
    /// say when it is (<see cref="ConnectionProtocol.OutboundDrained"/>).</summary>
    private void ContinueReplays()
    {
        if (!_replays.AnyWaiting || _closing)
        {
            return;
        }

        if (!_replays.HasRoom(_output))
        {
            _output.NotifyWhenDrained(Self);
            return;
        }

        foreach (var (token, subscriptions) in _replays.TakeWaiting())
        {
            subscriptions.Tell(new SubscriptionProtocol.ContinueReplay(token));
        }
    }
}
