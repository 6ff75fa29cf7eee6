using System.Net.WebSockets;
using MwgActors.Client.Internal;
using MwgActors.Protocol;

namespace MwgActors.Client;

// The connection's life: connect, restore (reclaim, resubscribe, drain), route pushes, reconnect with backoff.
public sealed partial class MwgClient
{
    private async Task RunAsync()
    {
        var attempt = 0;
        Uri[] urls = [_options.Url, .. _options.FallbackUrls];
        var current = 0;
        while (!_closing.IsCancellationRequested)
        {
            Session session;
            try
            {
                session = await Session.OpenAsync(_options, urls[current], _closing.Token).ConfigureAwait(false);
            }
            catch (MwgClientException ex) when (!ex.IsRetryable)
            {
                Close(ex, failed: true);
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or System.Net.Http.HttpRequestException or MwgClientException)
            {
                if (_closing.IsCancellationRequested)
                {
                    return;
                }

                attempt++;

                // A server that does not answer: the next attempt goes to the next one (a cluster's other nodes).
                current = (current + 1) % urls.Length;
                await DelayAsync(Backoff.Delay(attempt, _options.ReconnectMinDelay, _options.ReconnectMaxDelay, _options.ReconnectJitter)).ConfigureAwait(false);
                continue;
            }

            var (restored, status) = await RunSessionAsync(session).ConfigureAwait(false);
            if (_closing.IsCancellationRequested)
            {
                return;
            }

            if (status is WebSocketCloseStatus.ProtocolError or WebSocketCloseStatus.InvalidMessageType
                or WebSocketCloseStatus.InvalidPayloadData or WebSocketCloseStatus.MessageTooBig)
            {
                // The server found our frames wrong: sending them again would fail again.
                Close(new MwgClientException(ErrorCode.BadFrame, $"the server closed the connection ({(int)status})", isRetryable: false), failed: true);
                return;
            }

            attempt = restored ? 1 : attempt + 1;
            var delay = status == WebSocketCloseStatus.PolicyViolation
                ? _options.ReconnectMaxDelay // a policy close (overload, auth) is not retried fast
                : Backoff.Delay(attempt, _options.ReconnectMinDelay, _options.ReconnectMaxDelay, _options.ReconnectJitter);
            await DelayAsync(delay).ConfigureAwait(false);
        }
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
    }

    private async Task<(bool Restored, WebSocketCloseStatus? Status)> RunSessionAsync(Session session)
    {
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                session.Abort();
                return (false, null);
            }

            _current = session;
        }

        Volatile.Write(ref _serverLimits, session.Hello.Limits);
        session.Start(push => OnPush(session, push));
        var restored = false;
        try
        {
            await RestoreAsync(session).ConfigureAwait(false);
            restored = true;
        }
        catch (Exception ex) when (ex is SessionLostException or MwgClientException or OperationCanceledException)
        {
            session.Abort();
        }

        if (restored)
        {
            _ = KeepAliveAsync(session);
        }

        var status = await session.Ended.ConfigureAwait(false);
        MarkEnded(session);
        lock (_lock)
        {
            if (_current == session)
            {
                _current = null;
            }
        }

        await session.DisposeAsync().ConfigureAwait(false);
        return (restored, status);
    }

    /// <summary>Reclaims the lease, binds every subscription, drains the offline queue, then goes live.</summary>
    private async Task RestoreAsync(Session session)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        if (Lease is { } lease)
        {
            var token = lease.Token.ToArray();
            var reply = await session.SendAsync(id => new Protocol.Lock(id, new LeaseClaim(lease.Prefix, token)), null, timeout.Token).ConfigureAwait(false);
            switch (reply)
            {
                case LockResult granted:
                    Volatile.Write(ref _lease, new PrefixLease(granted.Prefix, granted.LeaseToken ?? token));
                    break;
                case Error { Code: var code } when !code.IsRetryable():
                    Volatile.Write(ref _lease, null);
                    LeaseLost?.Invoke(this, lease);
                    break;
                case Error error:
                    throw new MwgClientException(error.Code, "reclaiming the prefix failed");
                default:
                    throw Unexpected();
            }
        }

        ClientSubscription[] subscriptions;
        lock (_lock)
        {
            subscriptions = [.. _subscriptions];
        }

        await Task.WhenAll(subscriptions.Select(s => BindOrDropAsync(session, s))).WaitAsync(timeout.Token).ConfigureAwait(false);

        while (true)
        {
            QueuedWrite? write;
            ConnectionStateChangedEventArgs? changed = null;
            lock (_lock)
            {
                write = _queue?.TryDequeue();
                if (write is null)
                {
                    if (_closedReason is not null || session.IsEnded)
                    {
                        throw new SessionLostException(sent: false);
                    }

                    _live = session;
                    _connected.TrySetResult(session);
                    SetStateLocked(ConnectionState.Connected, out changed);
                }
            }

            if (write is null)
            {
                RaiseAfterLock(changed);
                return;
            }

            await SendQueuedAsync(session, write).ConfigureAwait(false);
        }
    }

    private async Task SendQueuedAsync(Session session, QueuedWrite write)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            write.Completion.TrySetResult(await session.SendAsync(write.Create, null, timeout.Token).ConfigureAwait(false));
        }
        catch (SessionLostException lost) when (!lost.Sent)
        {
            _queue!.TryRequeueFirst(write); // never left: it keeps its place
            throw;
        }
        catch (Exception ex) when (ex is SessionLostException or OperationCanceledException)
        {
            write.Completion.TrySetException(LostWrite());
            throw new SessionLostException(sent: true);
        }
    }

    private async Task BindOrDropAsync(Session session, ClientSubscription subscription)
    {
        try
        {
            await BindAsync(session, subscription).ConfigureAwait(false);
        }
        catch (MwgClientException ex) when (!ex.IsRetryable)
        {
            // The server refuses this subscription for good (too many, bad prefix): it ends with that error.
            lock (_lock)
            {
                _subscriptions.Remove(subscription);
            }

            subscription.Complete(ex);
        }
    }

    /// <summary>Subscribes on <paramref name="session"/> once, however many callers ask (the restore and SubscribeAsync).</summary>
    private Task BindAsync(Session session, ClientSubscription subscription)
    {
        lock (_lock)
        {
            if (subscription.Session == session && subscription.Binding is { } binding)
            {
                return binding;
            }

            subscription.Session = session;
            return subscription.Binding = SubscribeOnAsync(session, subscription);
        }
    }

    private async Task SubscribeOnAsync(Session session, ClientSubscription subscription)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        long? since = subscription.HasStarted ? subscription.LastRevision : null;
        var routing = session.Routing;
        routing.BindStarted();
        var answered = false;
        try
        {
            var reply = await session.SendAsync(
                id => new Subscribe(id, subscription.Prefixes, since, subscription.IncludeValues),
                r =>
                {
                    answered = true;
                    OnSubscribeReplyInLoop(routing, subscription, r);
                },
                timeout.Token).ConfigureAwait(false);
            if (reply is Error error)
            {
                throw new MwgClientException(error.Code, $"{error.Code}: {error.Reason}");
            }
        }
        catch (OperationCanceledException) when (!_closing.IsCancellationRequested)
        {
            throw new MwgClientException(ErrorCode.Timeout, "subscribing timed out");
        }
        finally
        {
            if (!answered)
            {
                routing.BindAbandoned();
            }
        }
    }

    private void OnSubscribeReplyInLoop(Routing routing, ClientSubscription subscription, Reply reply)
    {
        if (reply is Subscribed subscribed)
        {
            subscription.WireId = subscribed.SubscriptionId;
            routing.Bound[subscribed.SubscriptionId] = subscription;
            if (routing.Unclaimed.Remove(subscribed.SubscriptionId, out var waiting))
            {
                for (var i = 0; i < waiting.Count; i++)
                {
                    if (waiting[i] is ReloadAll)
                    {
                        // The replay stopped at a gap; the live stream resumes after the revision the reload covers.
                        var next = waiting.Skip(i + 1).OfType<ChangeNotification>().FirstOrDefault();
                        Reload(subscription, next is null ? subscribed.CurrentRevision : next.Revision - 1);
                    }
                    else
                    {
                        Route(subscription, waiting[i]);
                    }
                }
            }

            if (!subscription.HasStarted)
            {
                subscription.StartAt(subscribed.CurrentRevision);
            }

            Seen(subscribed.CurrentRevision);
        }

        routing.BindEnded();
    }

    private void OnPush(Session session, Push push)
    {
        var routing = session.Routing;
        switch (push)
        {
            case ChangeNotification n:
                RouteOrHold(routing, n.SubscriptionId, push);
                break;
            case ReloadAll r:
                RouteOrHold(routing, r.SubscriptionId, push);
                break;
            case ReloadKeys { SubscriptionId: { } id }:
                RouteOrHold(routing, id, push);
                break;
            case ReloadKeys or ReloadPairs:
                foreach (var subscription in routing.Bound.Values.ToArray())
                {
                    Route(subscription, push);
                }

                break;
        }
    }

    private void RouteOrHold(Routing routing, long subscriptionId, Push push)
    {
        if (routing.Bound.TryGetValue(subscriptionId, out var subscription))
        {
            Route(subscription, push);
        }
        else if (routing.PendingBinds > 0)
        {
            if (!routing.Unclaimed.TryGetValue(subscriptionId, out var waiting))
            {
                routing.Unclaimed[subscriptionId] = waiting = [];
            }

            waiting.Add(push);
        }
    }

    private void Route(ClientSubscription subscription, Push push)
    {
        switch (push)
        {
            case ChangeNotification n:
                Seen(n.Revision);
                subscription.DeliverChange(n.Revision, new ChangesReceived(n.Revision, n.Changes));
                break;
            case ReloadAll:
                // Live (the server dropped our backlog): what follows is newer than anything delivered.
                Reload(subscription, subscription.LastRevision);
                break;
            case ReloadKeys k:
                subscription.Deliver(new ReloadRequested(k.Keys, k.Prefixes));
                break;
            case ReloadPairs p:
                subscription.Deliver(new ValuesPushed(p.Pairs));
                break;
        }
    }

    private static void Reload(ClientSubscription subscription, long revision)
    {
        subscription.StartAt(revision);
        subscription.Deliver(new ReloadEverything(revision));
    }

    private void OnCacheEvent(object? sender, SubscriptionEvent e)
    {
        switch (e)
        {
            case ChangesReceived c:
                _cache!.Invalidate(c.Changes.Select(x => x.Key));
                break;
            case ReloadRequested r:
                _cache!.Invalidate(r.Keys);
                _cache.InvalidatePrefixes(r.Prefixes);
                break;
            case ValuesPushed v:
                _cache!.Invalidate(v.Pairs.Select(p => p.Key));
                break;
            case ReloadEverything:
                _cache!.Clear();
                break;
        }
    }

    private async ValueTask UnsubscribeAsync(ClientSubscription subscription)
    {
        Session? session;
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
            session = subscription.Session == _live ? _live : null;
        }

        subscription.Complete();
        if (session is null || subscription.Binding is not { IsCompletedSuccessfully: true })
        {
            return; // nothing on the server, or it goes with the connection
        }

        var routing = session.Routing;
        var wireId = subscription.WireId;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            await session.SendAsync(id => new Unsubscribe(id, wireId), _ => routing.Bound.Remove(wireId), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SessionLostException or OperationCanceledException)
        {
            // Best effort: a lost connection drops its subscriptions anyway.
        }
    }

    private async Task KeepAliveAsync(Session session)
    {
        while (!session.IsEnded && !_closing.IsCancellationRequested)
        {
            await Task.WhenAny(Task.Delay(_options.KeepAliveInterval, _closing.Token), session.Ended).ConfigureAwait(false);
            if (session.IsEnded || _closing.IsCancellationRequested)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            try
            {
                await session.SendAsync(id => new Ping(id), null, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                session.Abort(); // no pong: the peer is gone
            }
            catch (SessionLostException)
            {
                return;
            }
        }
    }

    /// <summary>The connection ended: requests wait for the next one.</summary>
    private void MarkEnded(Session session)
    {
        ConnectionStateChangedEventArgs? changed = null;
        lock (_lock)
        {
            if (_live == session)
            {
                _live = null;
                _connected = NewConnectedSignal();
                SetStateLocked(ConnectionState.Reconnecting, out changed);
            }
        }

        RaiseAfterLock(changed);
    }

    /// <summary>Final. <paramref name="failed"/>: the server refused us (subscriptions end with the reason, the
    /// connection is dropped); else the application disposed the client (it closes the connection gracefully).</summary>
    private void Close(MwgClientException reason, bool failed)
    {
        ClientSubscription[] subscriptions;
        ConnectionStateChangedEventArgs? changed;
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                return;
            }

            _closedReason = reason;
            _live = null;
            _connected.TrySetException(reason);
            _ = _connected.Task.Exception; // observed: nobody may be waiting
            SetStateLocked(ConnectionState.Closed, out changed);
            subscriptions = [.. _subscriptions];
            _subscriptions.Clear();
        }

        _queue?.FailAll(reason);
        foreach (var subscription in subscriptions)
        {
            subscription.Complete(failed ? reason : null);
        }

        if (failed)
        {
            _current?.Abort();
            _closing.Cancel();
        }

        RaiseAfterLock(changed);
    }

    private void SetStateLocked(ConnectionState next, out ConnectionStateChangedEventArgs? changed)
    {
        changed = null;
        if (_state == next || _state == ConnectionState.Closed)
        {
            return;
        }

        changed = new ConnectionStateChangedEventArgs(_state, next);
        _state = next;
    }

    private void RaiseAfterLock(ConnectionStateChangedEventArgs? changed)
    {
        if (changed is not null)
        {
            StateChanged?.Invoke(this, changed);
        }
    }
}
