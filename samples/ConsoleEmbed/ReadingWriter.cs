using System.Globalization;
using System.Text;
using MwgActors.Actors.Api;

namespace ConsoleEmbed;

/// <summary>
/// The app's own writer: every interval, a temperature reading under the watched prefix and a log key outside it
/// (which the watcher does not see), through the in-process API.
/// </summary>
internal static class ReadingWriter
{
    public static async Task RunAsync(MwgStore store, SampleOptions options, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Interval);
        try
        {
            for (var n = 1; options.Writes == 0 || n <= options.Writes; n++)
            {
                await timer.WaitForNextTickAsync(cancellationToken);
                var reading = (20 + (n * 0.5)).ToString("0.0", CultureInfo.InvariantCulture);
                await store.PutAsync(
                [
                    new(Encoding.UTF8.GetBytes(options.Prefix + "temperature"), Encoding.UTF8.GetBytes(reading)),
                    new(Encoding.UTF8.GetBytes("log/last-reading"), Encoding.UTF8.GetBytes(reading)),
                ], cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
