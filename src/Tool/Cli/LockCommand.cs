using System.Globalization;
using System.Text.Json;

namespace MwgActors.Tool.Cli;

/// <summary>
/// <c>mwg lock</c>: leases a free id prefix and prints <c>PREFIX&lt;TAB&gt;TOKEN</c> (the lease token in Base64).
/// Without <c>--hold</c> it exits at once: the server keeps the lease for its grace period after the connection
/// closes, then frees it. With <c>--hold</c> it keeps the connection (and the lease) until Ctrl-C, then unlocks.
/// </summary>
internal static class LockCommand
{
    public static Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error, CancellationToken stop) =>
        ClientCommand.RunAsync("lock", args, output, error, ["hold"], async options =>
        {
            if (args.Positional.Count != 0)
            {
                throw new ArgumentException($"takes no arguments, not '{args.Positional[0]}'");
            }

            var hold = args.Has("hold");
            using var signal = hold ? new StopSignal(stop) : null;
            await using var client = await ClientSession.ConnectAsync(options, signal?.Token ?? CancellationToken.None);
            var lease = await client.LockAsync(signal?.Token ?? CancellationToken.None);
            var token = Convert.ToBase64String(lease.Token.Span);
            await output.WriteLineAsync(options.Json
                ? JsonSerializer.Serialize(new { prefix = lease.Prefix, leaseToken = token }, JsonOutput.Options)
                : $"{lease.Prefix.ToString(CultureInfo.InvariantCulture)}\t{token}");
            await output.FlushAsync();
            if (signal is null)
            {
                return CommandLine.Ok;
            }

            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.LeaseLost += (_, _) => lost.TrySetResult();
            var stopped = Task.Delay(Timeout.Infinite, signal.Token);
            if (await Task.WhenAny(stopped, lost.Task) == lost.Task)
            {
                throw new CommandFailure(CommandLine.Failed, $"lost the lease of prefix {lease.Prefix} (not reclaimed within the grace period)");
            }

            await client.UnlockAsync();
            return CommandLine.Ok;
        });
}
