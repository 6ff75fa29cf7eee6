using System.Globalization;
using System.Text.Json.Nodes;
using MwgActors.Client;
using MwgActors.Protocol;

namespace MwgActors.Tool.Cli;

/// <summary>
/// <c>mwg watch PREFIX...</c>: subscribes (with values) and prints every change until Ctrl-C or SIGTERM, which end
/// it with exit 0. The client reconnects by itself and resumes after the last revision printed, so a change is
/// printed once even across reconnects; the connection's state goes to stderr. Text lines (TAB-separated):
/// <c>REVISION KEY VALUE|(removed)</c>, <c>reload key|prefix NAME</c>, <c>reload all REVISION</c>, <c>push KEY VALUE</c>.
/// <c>--json</c> prints one object per notification or reload.
/// </summary>
internal static class WatchCommand
{
    public static Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error, CancellationToken stop) =>
        ClientCommand.RunAsync("watch", args, output, error, ["since"], async options =>
        {
            if (args.Positional.Count == 0)
            {
                throw new ArgumentException("give at least one prefix (\"\" watches every key)");
            }

            long? since = null;
            if (args.Get("since") is { } text)
            {
                since = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
                    ? revision
                    : throw new ArgumentException($"--since must be a revision (a number from 0), not '{text}'");
            }

            var prefixes = args.Positional.Select(options.Bytes).ToList();
            using var signal = new StopSignal(stop);
            await using var client = await ClientSession.ConnectAsync(options, signal.Token);
            await using var subscription = await client.SubscribeAsync(
                prefixes, new SubscribeOptions { AfterRevision = since, IncludeValues = true }, signal.Token);
            await error.WriteLineAsync($"mwg watch: watching from revision {subscription.LastRevision.ToString(CultureInfo.InvariantCulture)}");
            await error.FlushAsync();

            using var stopStates = CancellationTokenSource.CreateLinkedTokenSource(signal.Token);
            var states = ReportStatesAsync(client, subscription, error, stopStates.Token);
            try
            {
                await foreach (var item in subscription.ReadAllAsync(signal.Token))
                {
                    await output.WriteLineAsync(options.Json ? Json(item, options) : Text(item, options));
                    await output.FlushAsync();
                }
            }
            catch (OperationCanceledException) when (signal.Token.IsCancellationRequested)
            {
                return CommandLine.Ok;
            }
            finally
            {
                await stopStates.CancelAsync();
                await states;
            }

            // The subscription ended on its own: the client was closed for good.
            throw new CommandFailure(CommandLine.CannotConnect, "the server closed the connection");
        });

    /// <summary>Tells the person watching that the connection was lost and where it resumed.</summary>
    private static async Task ReportStatesAsync(MwgClient client, ClientSubscription subscription, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            // The stream starts with the current state (connected): only a loss and the recovery after it are news.
            var lost = false;
            await foreach (var state in client.WatchStateAsync(cancellationToken))
            {
                var line = state switch
                {
                    ConnectionState.Reconnecting when !lost => "mwg watch: connection lost; reconnecting",
                    ConnectionState.Connected when lost => $"mwg watch: reconnected; resuming after revision {subscription.LastRevision.ToString(CultureInfo.InvariantCulture)}",
                    _ => null,
                };
                lost = state == ConnectionState.Reconnecting || (lost && state != ConnectionState.Connected);
                if (line is not null)
                {
                    await error.WriteLineAsync(line);
                    await error.FlushAsync(CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped with the watch.
        }
    }

    internal static string Text(SubscriptionEvent item, ClientOptions options) => item switch
    {
        ChangesReceived changes => string.Join('\n', changes.Changes.Select(c =>
            $"{changes.Revision.ToString(CultureInfo.InvariantCulture)}\t{options.Text(c.Key)}\t{ValueText(c, options)}")),
        ReloadRequested reload => string.Join('\n',
            reload.Keys.Select(k => $"reload\tkey\t{options.Text(k)}").Concat(reload.Prefixes.Select(p => $"reload\tprefix\t{options.Text(p)}"))),
        ReloadEverything all => $"reload\tall\t{all.Revision.ToString(CultureInfo.InvariantCulture)}",
        ValuesPushed pushed => string.Join('\n', pushed.Pairs.Select(p => $"push\t{options.Text(p.Key)}\t{options.Text(p.Value)}")),
        _ => $"unknown\t{item.GetType().Name}",
    };

    internal static string Json(SubscriptionEvent item, ClientOptions options)
    {
        var json = item switch
        {
            ChangesReceived changes => new JsonObject
            {
                ["type"] = "change",
                ["revision"] = changes.Revision,
                ["changes"] = new JsonArray([.. changes.Changes.Select(c => (JsonNode)new JsonObject
                {
                    ["key"] = options.Text(c.Key),
                    ["value"] = c.Value is { } value && !c.Removed ? options.Text(value) : null,
                    ["removed"] = c.Removed,
                })]),
            },
            ReloadRequested reload => new JsonObject
            {
                ["type"] = "reload",
                ["keys"] = new JsonArray([.. reload.Keys.Select(k => (JsonNode)options.Text(k))]),
                ["prefixes"] = new JsonArray([.. reload.Prefixes.Select(p => (JsonNode)options.Text(p))]),
            },
            ReloadEverything all => new JsonObject { ["type"] = "reloadAll", ["revision"] = all.Revision },
            ValuesPushed pushed => new JsonObject
            {
                ["type"] = "push",
                ["pairs"] = new JsonArray([.. pushed.Pairs.Select(p => (JsonNode)new JsonObject { ["key"] = options.Text(p.Key), ["value"] = options.Text(p.Value) })]),
            },
            _ => new JsonObject { ["type"] = item.GetType().Name },
        };
        return json.ToJsonString(JsonOutput.Options);
    }

    private static string ValueText(Change change, ClientOptions options) =>
        change.Removed ? "(removed)" : change.Value is { } value ? options.Text(value) : "(written)";
}
