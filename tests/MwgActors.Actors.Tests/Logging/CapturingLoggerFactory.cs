using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MwgActors.Actors.Tests.Logging;

/// <summary>An ILoggerFactory whose loggers write every event, with its structured state, to a channel.</summary>
internal sealed class CapturingLoggerFactory(LogLevel minimum) : ILoggerFactory
{
    private readonly Channel<CapturedLog> _logs = Channel.CreateUnbounded<CapturedLog>();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, minimum, _logs.Writer);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose() => _logs.Writer.TryComplete();

    /// <summary>The first event (from now) that <paramref name="match"/> accepts; fails after 10 seconds.</summary>
    public async Task<CapturedLog> ExpectAsync(Func<CapturedLog, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var log = await _logs.Reader.ReadAsync(timeout.Token);
            if (match(log))
            {
                return log;
            }
        }
    }

    /// <summary>Every event captured so far, without waiting.</summary>
    public List<CapturedLog> Drain()
    {
        var all = new List<CapturedLog>();
        while (_logs.Reader.TryRead(out var log))
        {
            all.Add(log);
        }

        return all;
    }

    private sealed class Logger(string category, LogLevel minimum, ChannelWriter<CapturedLog> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IReadOnlyList<KeyValuePair<string, object?>> list
                ? list.ToDictionary(p => p.Key, p => p.Value)
                : [];
            logs.TryWrite(new CapturedLog(category, logLevel, formatter(state, exception), properties, exception));
        }
    }
}

internal sealed record CapturedLog(string Category, LogLevel Level, string Message, Dictionary<string, object?> Properties, Exception? Exception);
