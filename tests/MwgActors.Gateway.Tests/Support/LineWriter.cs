using System.Text;
using System.Threading.Channels;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// A <see cref="TextWriter"/> for commands run in-process: each complete line can be awaited (bounded) as it is
/// written, and <see cref="ToString"/> gives everything written. Safe to write from several threads.
/// </summary>
internal sealed class LineWriter : TextWriter
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _current = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _all.Append(value);
            if (value == '\n')
            {
                _lines.Writer.TryWrite(_current.ToString().TrimEnd('\r'));
                _current.Clear();
            }
            else
            {
                _current.Append(value);
            }
        }
    }

    /// <summary>The next complete line; fails after a bound, naming what was written so far.</summary>
    public async Task<string> ReadLineAsync()
    {
        try
        {
            return await _lines.Reader.ReadAsync().AsTask().WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line within {Bound}; written so far: {this}");
        }
    }

    /// <summary>The lines not read yet, without waiting.</summary>
    public List<string> Remaining()
    {
        var lines = new List<string>();
        while (_lines.Reader.TryRead(out var line))
        {
            lines.Add(line);
        }

        return lines;
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _all.ToString();
        }
    }
}
