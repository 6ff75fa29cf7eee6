using System.Text.Json;
using MwgActors.Client;

namespace MwgActors.Tool.Cli;

/// <summary>
/// Runs a client command: checks its options, then maps every way it can fail to an exit code and one line
/// <c>mwg COMMAND: REASON</c> on stderr, never a stack trace. The one place that turns exceptions into output. With
/// <c>--json</c>, a request whose outcome is unknown also prints <c>{"outcomeUnknown":true,"error":"REASON"}</c> on stdout.
/// </summary>
internal static class ClientCommand
{
    public static async Task<int> RunAsync(string name, ParsedArguments args, TextWriter output, TextWriter error, string[] ownOptions, Func<ClientOptions, Task<int>> body)
    {
        ClientOptions options;
        try
        {
            args.AllowOnly(ClientOptions.Names(ownOptions));
            options = ClientOptions.From(args);
        }
        catch (ArgumentException ex)
        {
            return await FailAsync(CommandLine.Usage, ex.Message);
        }

        try
        {
            return await body(options);
        }
        catch (ArgumentException ex)
        {
            return await FailAsync(CommandLine.Usage, ex.Message);
        }
        catch (CommandFailure ex)
        {
            return await FailWithAsync(ex);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C before the command got what it waits for (its own timeouts are CommandFailures).
            return await FailAsync(CommandLine.Interrupted, "interrupted");
        }
        catch (MwgClientException ex)
        {
            return await FailWithAsync(ClientSession.Describe(ex, options));
        }
#pragma warning disable CA1031 // The last resort at the process boundary: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return await FailAsync(CommandLine.Failed, $"failed: {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
        }

        async Task<int> FailWithAsync(CommandFailure failure)
        {
            if (failure.OutcomeUnknown && options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { outcomeUnknown = true, error = failure.Message }, JsonOutput.Options));
                await output.FlushAsync();
            }

            return await FailAsync(failure.ExitCode, failure.Message);
        }

        async Task<int> FailAsync(int exitCode, string reason)
        {
            await error.WriteLineAsync($"mwg {name}: {reason}");
            await error.FlushAsync();
            return exitCode;
        }
    }
}
