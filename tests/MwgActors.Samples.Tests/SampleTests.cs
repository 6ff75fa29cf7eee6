using System.Text;
using MwgActors.Client;

namespace MwgActors.Samples.Tests;

/// <summary>Each sample in samples/ built, started as a real process, and checked for what it says it does.</summary>
public sealed class SampleTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mwg-sample-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task AspNetHost_should_serve_websockets_where_it_says_and_a_client_should_see_the_clock_tick()
    {
        await using var sample = SampleProcess.Start("AspNetHost",
            "--urls", "http://127.0.0.1:0",
            "--Mwg:Storage:Path", _data,
            "--Clock:Interval", "00:00:00.200");
        var line = await sample.ReadUntilAsync(l => l.StartsWith("mwg endpoint ", StringComparison.Ordinal));
        var url = new Uri(line["mwg endpoint ".Length..]);

        await using var client = await MwgClient.ConnectAsync(new MwgClientOptions { Url = url, RequestTimeout = Patience, ConnectTimeout = Patience });
        await using var subscription = await client.SubscribeAsync([Encoding.UTF8.GetBytes("clock/")], new SubscribeOptions { IncludeValues = true });
        await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();
        var first = await NextChangeAsync(events);
        var second = await NextChangeAsync(events);

        Assert.Equal("/mwg", url.AbsolutePath);
        Assert.True(second.Revision > first.Revision);
        Assert.Equal(Ticks(first) + 1, Ticks(second));
        Assert.Contains(first.Changes, c => Encoding.UTF8.GetString(c.Key) == "clock/now" && DateTimeOffset.TryParse(Encoding.UTF8.GetString(c.Value!), out _));

        // --Mwg:Storage:Path reached mwg.storage.path through IConfiguration: the RocksDB folder is there.
        Assert.True(File.Exists(Path.Combine(_data, "CURRENT")), $"no RocksDB database in {_data}");
    }

    [Fact]
    public async Task ConsoleEmbed_should_print_the_changes_under_its_prefix_and_only_those()
    {
        await using var sample = SampleProcess.Start("ConsoleEmbed", "--prefix", "sensors/", "--writes", "3", "--interval-ms", "100");

        var exit = await sample.WaitForExitAsync();

        var lines = sample.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exit == 0, $"exit {exit}; stderr: {await sample.ErrorAsync()}");
        Assert.Equal(
        [
            "watching 'sensors/' from revision 0 (in memory)",
            "@1 sensors/temperature = 20.5",
            "@2 sensors/temperature = 21.0",
            "@3 sensors/temperature = 21.5",
            "stopped",
        ], lines);
    }

    [Fact]
    public async Task ConsoleEmbed_with_a_data_folder_should_resume_after_the_revisions_it_kept()
    {
        await using (var first = SampleProcess.Start("ConsoleEmbed", "--data", _data, "--writes", "1", "--interval-ms", "100"))
        {
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        await using var second = SampleProcess.Start("ConsoleEmbed", "--data", _data, "--writes", "1", "--interval-ms", "100");
        Assert.Equal(0, await second.WaitForExitAsync());

        Assert.Contains("from revision 1 (RocksDB in", second.Output, StringComparison.Ordinal);
        Assert.Contains("@2 sensors/temperature = 20.5", second.Output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static long Ticks(ChangesReceived change) =>
        long.Parse(Encoding.UTF8.GetString(change.Changes.Single(c => Encoding.UTF8.GetString(c.Key) == "clock/ticks").Value!), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<ChangesReceived> NextChangeAsync(IAsyncEnumerator<SubscriptionEvent> events)
    {
        while (true)
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Patience), "the subscription ended");
            if (events.Current is ChangesReceived change)
            {
                return change;
            }
        }
    }
}
