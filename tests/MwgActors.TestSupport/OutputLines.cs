using System.Threading.Channels;

namespace MwgActors.TestSupport;

/// <summary>
/// One output stream of a child, pumped as it is written (so the child never blocks on a full pipe): the lines not
/// read yet, for a test that waits for one, and the lines kept so far, for a report.
/// </summary>
internal sealed class OutputLines
{
    private readonly Channel<string>? _unread;
    private readonly Queue<string> _kept = new();
    private readonly int? _keep;

    /// <param name="keep">Lines kept (and lines waiting to be read), oldest dropped first; null keeps all.</param>
    /// <param name="readable">False for lines only kept for a report, never read one by one.</param>
    public OutputLines(int? keep, bool readable = true)
    {
        _keep = keep;
        _unread = !readable ? null
            : keep is { } bound ? Channel.CreateBounded<string>(new BoundedChannelOptions(bound) { FullMode = BoundedChannelFullMode.DropOldest })
            : Channel.CreateUnbounded<string>();
    }

    /// <summary>Completes when the stream has ended and every line is in.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Pump(StreamReader reader, Action<string> onLine) => Completion = Task.Run(async () =>
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                Add(line);
                onLine(line);
            }
        }
        finally
        {
            _unread?.Writer.TryComplete();
        }
    });

    public void Add(string line)
    {
        lock (_kept)
        {
            _kept.Enqueue(line);
            if (_kept.Count > _keep)
            {
                _kept.Dequeue();
            }
        }

        _unread?.Writer.TryWrite(line);
    }

    /// <summary>The next line not read yet, or null once the stream has ended.</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        var unread = _unread ?? throw new InvalidOperationException("these lines are kept, not read");
        return await unread.Reader.WaitToReadAsync(cancellationToken) && unread.Reader.TryRead(out var line) ? line : null;
    }

    /// <summary>The lines kept so far, each ended by a newline.</summary>
    public string Text()
    {
        lock (_kept)
        {
            return string.Concat(_kept.Select(l => l + "\n"));
        }
    }

    public string[] Last(int count)
    {
        lock (_kept)
        {
            return [.. _kept.TakeLast(count)];
        }
    }
}
