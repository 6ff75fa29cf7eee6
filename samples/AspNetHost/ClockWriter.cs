using System.Globalization;
using System.Text;
using MwgActors.Actors.Api;

namespace AspNetHost;

/// <summary>How often the clock writes.</summary>
public sealed class ClockOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// The app's own code using the in-process API from DI: every interval it writes <c>clock/now</c> (the time) and
/// <c>clock/ticks</c> (a counter) in one batch; websocket clients subscribed to <c>clock/</c> see each write.
/// MwgActors' hosted service is registered first, so it has recovered before this one starts.
/// </summary>
internal sealed partial class ClockWriter(MwgStore store, Microsoft.Extensions.Options.IOptions<ClockOptions> options, ILogger<ClockWriter> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        var ticks = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            ticks++;
            try
            {
                var revision = await store.PutAsync(
                [
                    new(Utf8("clock/now"), Utf8(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture))),
                    new(Utf8("clock/ticks"), Utf8(ticks.ToString(CultureInfo.InvariantCulture))),
                ], stoppingToken);
                LogTick(log, ticks, revision);
            }
            catch (MwgApiException ex) when (ex.IsRetryable)
            {
                LogSkipped(log, ex.Error);
            }
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tick {Ticks} written at revision {Revision}")]
    private static partial void LogTick(ILogger logger, long ticks, long revision);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tick skipped: {Error}")]
    private static partial void LogSkipped(ILogger logger, MwgApiError error);
}
