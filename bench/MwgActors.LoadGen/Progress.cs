using System.Diagnostics;
using System.Globalization;

namespace MwgActors.LoadGen;

/// <summary>Writes one progress line a second (to stderr in the CLI) until stopped.</summary>
internal static class Progress
{
    public static async Task RunAsync(LiveCounters counters, Func<string> phase, TextWriter output, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        long lastRequests = 0, lastKeys = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var requests = counters.Requests;
                var keys = counters.Keys;
                await output.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"[{Stopwatch.GetElapsedTime(started).TotalSeconds,5:F0} s] {phase(),-8} {requests - lastRequests,9} req/s {keys - lastKeys,10} keys/s  errors {counters.Errors}{(counters.FirstError is { } first ? " (first: " + first + ")" : string.Empty)}"));
                lastRequests = requests;
                lastKeys = keys;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
