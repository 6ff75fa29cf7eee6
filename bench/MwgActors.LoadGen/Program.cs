namespace MwgActors.LoadGen;

/// <summary>Entry point: parses the knobs, runs one scenario, prints the summary (stdout) after live progress (stderr).</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadGenOptions options;
        try
        {
            options = LoadGenOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"loadgen: {ex.Message}");
            await Console.Error.WriteLineAsync(LoadGenOptions.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            var summary = await LoadGenRunner.RunAsync(options, Console.Error, cancel.Token);
            await Console.Out.WriteAsync(options.Json ? summary.ToJson() + Environment.NewLine : summary.ToTable());
            return summary.Errors == 0 ? 0 : 1;
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"loadgen: {ex.Message}");
            return 1;
        }
    }
}
