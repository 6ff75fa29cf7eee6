using System.Globalization;
using System.Text;
using Akka.Actor;
using ConsoleEmbed;
using MwgActors.Actors.Hosting;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

// Usage: ConsoleEmbed [--prefix sensors/] [--data DIR] [--writes N] [--interval-ms 500]
//   --data DIR  keep the data in a RocksDB folder (default: in memory)
//   --writes N  write N readings, print their changes, then exit (default 0: write until Ctrl-C)
var options = SampleOptions.Parse(args);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// The app's own actor system, with its own configuration; MwgActors attaches to it.
var system = ActorSystem.Create("console-app", "akka.loglevel = WARNING");
var mwg = system.UseMwgActors(o =>
{
    if (options.DataPath is null)
    {
        o.UseInMemoryStore();
    }
    else
    {
        o.UseRocksDb(options.DataPath);
    }
});
await mwg.WaitUntilReadyAsync(TimeSpan.FromMinutes(1));

await using (var subscription = await mwg.Store.SubscribeAsync([Encoding.UTF8.GetBytes(options.Prefix)]))
{
    Console.WriteLine($"watching '{options.Prefix}' from revision {subscription.CurrentRevision} ({(options.DataPath is null ? "in memory" : "RocksDB in " + Path.GetFullPath(options.DataPath))})");
    var writer = ReadingWriter.RunAsync(mwg.Store, options, stop.Token);

    var seen = 0;
    try
    {
        await foreach (var message in subscription.ReadAllAsync(stop.Token))
        {
            if (message is not SubscribedKeysChanged notification)
            {
                continue;
            }

            foreach (var change in notification.Changes)
            {
                var key = Encoding.UTF8.GetString(change.Key);
                Console.WriteLine(change.Removed
                    ? $"@{notification.Revision} {key} removed"
                    : $"@{notification.Revision} {key} = {Encoding.UTF8.GetString(change.Value ?? [])}");
            }

            if (options.Writes > 0 && ++seen >= options.Writes)
            {
                break;
            }
        }
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
    }

    await stop.CancelAsync();
    await writer;
}

await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
Console.WriteLine("stopped");
return 0;

namespace ConsoleEmbed
{
    /// <summary>The command line of the sample.</summary>
    internal sealed record SampleOptions(string Prefix, string? DataPath, int Writes, TimeSpan Interval)
    {
        public static SampleOptions Parse(string[] args)
        {
            var options = new SampleOptions("sensors/", null, 0, TimeSpan.FromMilliseconds(500));
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                options = args[i] switch
                {
                    "--prefix" => options with { Prefix = args[i + 1] },
                    "--data" => options with { DataPath = args[i + 1] },
                    "--writes" => options with { Writes = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                    "--interval-ms" => options with { Interval = TimeSpan.FromMilliseconds(int.Parse(args[i + 1], CultureInfo.InvariantCulture)) },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }

            return options;
        }
    }
}
