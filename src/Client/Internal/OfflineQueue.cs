using MwgActors.Protocol;

namespace MwgActors.Client.Internal;

/// <summary>A write held while disconnected: a put or a remove, sent in order on reconnect.</summary>
internal sealed class QueuedWrite(Func<RequestId, Request> create, long enqueuedTicks)
{
    public Func<RequestId, Request> Create { get; } = create;

    public long EnqueuedTicks { get; } = enqueuedTicks;

    public TaskCompletionSource<Reply> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The bounded FIFO of held writes. Thread-safe.</summary>
internal sealed class OfflineQueue(OfflineQueueOptions options)
{
    private readonly LinkedList<QueuedWrite> _writes = new();
    private readonly System.Threading.Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _writes.Count;
            }
        }
    }

    /// <summary>Queues a write; false when the queue is full.</summary>
    public bool TryEnqueue(QueuedWrite write)
    {
        lock (_lock)
        {
            if (_writes.Count >= options.MaxWrites)
            {
                return false;
            }

            _writes.AddLast(write);
            return true;
        }
    }

    /// <summary>The oldest write not yet too old; the too old ones on the way fail with <see cref="ErrorCode.Timeout"/>.</summary>
    public QueuedWrite? TryDequeue()
    {
        var maxAgeMs = (long)options.MaxAge.TotalMilliseconds;
        while (true)
        {
            QueuedWrite? write;
            lock (_lock)
            {
                if (_writes.First is not { } first)
                {
                    return null;
                }

                write = first.Value;
                _writes.RemoveFirst();
            }

            if (options.MaxAge == Timeout.InfiniteTimeSpan || Environment.TickCount64 - write.EnqueuedTicks <= maxAgeMs)
            {
                return write;
            }

            write.Completion.TrySetException(new MwgClientException(ErrorCode.Timeout, "the write waited in the offline queue longer than its max age"));
        }
    }

    /// <summary>Puts back, first, a write that was taken but never sent.</summary>
    public void TryRequeueFirst(QueuedWrite write)
    {
        lock (_lock)
        {
            _writes.AddFirst(write);
        }
    }

    /// <summary>Takes a write out (its caller gave up); false when it was already sent.</summary>
    public bool TryRemove(QueuedWrite write)
    {
        lock (_lock)
        {
            return _writes.Remove(write);
        }
    }

    /// <summary>Fails every held write (the client closed).</summary>
    public void FailAll(Exception error)
    {
        QueuedWrite[] all;
        lock (_lock)
        {
            all = [.. _writes];
            _writes.Clear();
        }

        foreach (var write in all)
        {
            write.Completion.TrySetException(error);
        }
    }
}
