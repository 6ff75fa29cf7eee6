using MwgActors.Actors.Api;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.TestKit;

/// <summary>
/// Every change and forced reload since revision 0, read from one in-process subscription to every key, in
/// revision order. Expectations take entries out of it in order (the first unconsumed match), leaving the others
/// for later expectations, so changes under other prefixes are never lost.
/// </summary>
internal sealed class ChangeLog : IAsyncDisposable
{
    private readonly MwgStore _store;
    private readonly Lock _gate = new();
    private readonly List<MwgChange> _changes = [];
    private readonly List<bool> _consumed = [];
    private readonly List<IReadOnlyList<byte[]>> _reloads = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _grown = NewSignal();
    private Task? _started;
    private Task? _pump;

    public ChangeLog(MwgStore store) => _store = store;

    public IReadOnlyList<MwgChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>Subscribes from revision 0 (so nothing written before is missed) and starts reading.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _started ??= SubscribeAsync(cancellationToken);
        }
    }

    /// <summary>The first unconsumed change that <paramref name="matches"/>, marked consumed; waits for it up to <paramref name="timeout"/>.</summary>
    public async Task<MwgChange?> TakeAsync(Func<MwgChange, bool> matches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task grown;
            lock (_gate)
            {
                for (var i = 0; i < _changes.Count; i++)
                {
                    if (!_consumed[i] && matches(_changes[i]))
                    {
                        _consumed[i] = true;
                        return _changes[i];
                    }
                }

                grown = _grown.Task;
            }

            try
            {
                await grown.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    /// <summary>The unconsumed changes that match, without consuming them.</summary>
    public IReadOnlyList<MwgChange> Peek(Func<MwgChange, bool> matches)
    {
        lock (_gate)
        {
            return [.. _changes.Where((c, i) => !_consumed[i] && matches(c))];
        }
    }

    /// <summary>The first forced reload that names a key or prefix <paramref name="matches"/> accepts; waits up to <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<byte[]>?> TakeReloadAsync(Func<byte[], bool> matches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task grown;
            lock (_gate)
            {
                var index = _reloads.FindIndex(r => r.Any(matches));
                if (index >= 0)
                {
                    var reload = _reloads[index];
                    _reloads.RemoveAt(index);
                    return reload;
                }

                grown = _grown.Task;
            }

            try
            {
                await grown.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_pump is not null)
        {
            await _pump;
        }

        _stop.Dispose();
    }

    private async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        var subscription = await _store.SubscribeAsync([[]], afterRevision: 0, includeValues: true, cancellationToken);
        _pump = PumpAsync(subscription);
    }

    private async Task PumpAsync(MwgSubscription subscription)
    {
        var lastRevision = 0L;
        try
        {
            while (true)
            {
                try
                {
                    await foreach (var message in subscription.ReadAllAsync(_stop.Token))
                    {
                        lastRevision = Append(message, lastRevision);
                    }

                    return; // the system stopped
                }
                catch (ChannelOverflowException)
                {
                    // The spec wrote faster than the log was read: pick up again after the last revision seen.
                    await subscription.DisposeAsync();
                    subscription = await _store.SubscribeAsync([[]], afterRevision: lastRevision, includeValues: true, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (MwgApiException)
        {
            // The system is stopping; the log keeps what it has.
        }
        finally
        {
            await subscription.DisposeAsync();
        }
    }

    private long Append(object message, long lastRevision)
    {
        lock (_gate)
        {
            switch (message)
            {
                case SubscribedKeysChanged notification:
                    foreach (var change in notification.Changes)
                    {
                        _changes.Add(new MwgChange(notification.Revision, change.Key, change.Removed ? null : change.Value ?? []));
                        _consumed.Add(false);
                    }

                    lastRevision = notification.Revision;
                    break;
                case ReloadRequired reload:
                    _reloads.Add(reload.KeysOrPrefixes);
                    break;
                default:
                    return lastRevision;
            }

            var grown = _grown;
            _grown = NewSignal();
            grown.TrySetResult();
            return lastRevision;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
