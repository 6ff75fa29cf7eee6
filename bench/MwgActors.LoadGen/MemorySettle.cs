using System.Diagnostics;
using System.Globalization;

namespace MwgActors.LoadGen;

/// <summary>What <see cref="MemorySettle.WaitAsync"/> saw: the last sample, how long it took, and whether it settled.</summary>
internal sealed record SettledMemory(ProcessMemory Memory, double Seconds, bool Settled);

/// <summary>
/// Waits until a process's resident memory stops moving: samples VmRSS twice a second and calls it settled once
/// every sample of the last <c>window</c> lies within max(512 KiB, 0.5 % of RSS) of the others. A server that is
/// idle but for timers still allocates a little, so its GC runs now and then; the band absorbs that, and the
/// window is long enough to contain such a collection. Gives up after twelve windows (at least 5 s) and says so.
/// </summary>
internal static class MemorySettle
{
    private const long MinimumBand = 512 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    public static async Task<SettledMemory?> WaitAsync(int pid, TimeSpan window, string phase, TextWriter progress, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        var needed = Math.Max(2, (int)Math.Ceiling(window / Interval) + 1);
        var giveUp = TimeSpan.FromTicks(Math.Max(window.Ticks * 12, TimeSpan.FromSeconds(5).Ticks));
        var samples = new Queue<ProcessMemory>();
        var lastReport = started;
        while (true)
        {
            if (ProcFs.ReadMemory(pid) is not { } sample)
            {
                return null; // the process is gone, or not ours to read
            }

            samples.Enqueue(sample);
            if (samples.Count > needed)
            {
                samples.Dequeue();
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var low = samples.Min(s => s.Rss);
            var high = samples.Max(s => s.Rss);
            var band = Math.Max(MinimumBand, sample.Rss / 200);
            if (samples.Count == needed && high - low <= band)
            {
                return new SettledMemory(sample, elapsed.TotalSeconds, true);
            }

            if (elapsed >= giveUp)
            {
                return new SettledMemory(sample, elapsed.TotalSeconds, false);
            }

            if (Stopwatch.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(1))
            {
                lastReport = Stopwatch.GetTimestamp();
                await progress.WriteLineAsync(string.Create(
                    CultureInfo.InvariantCulture,
                    $"[{elapsed.TotalSeconds,5:F0} s] {phase,-8} server RSS {sample.Rss / 1024.0 / 1024.0,8:F1} MiB, moved {(high - low) / 1024.0,8:F0} KiB over the last {samples.Count} samples"));
            }

            await Task.Delay(Interval, cancellation);
        }
    }
}
