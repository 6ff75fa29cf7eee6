using System.Globalization;
using System.Net.WebSockets;
using MwgActors.Client;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Cli;

/// <summary>Opens the <see cref="MwgClient"/> of a client command and names its failures for people.</summary>
internal static class ClientSession
{
    /// <summary>Connects to <c>--url</c>: exit 5 when nothing answers there, 4 when it does not answer in time.</summary>
    public static async Task<MwgClient> ConnectAsync(ClientOptions options, CancellationToken cancellationToken)
    {
        var url = options.WebSocketUri;
        var settings = new MwgClientOptions { Url = url, ConnectTimeout = options.Timeout, RequestTimeout = options.Timeout };
        try
        {
            return await MwgClient.ConnectAsync(settings, cancellationToken);
        }
        catch (MwgClientException ex) when (ex.Code == ErrorCode.Timeout)
        {
            throw new CommandFailure(CommandLine.TimedOut, $"no answer from {url} within {Seconds(options.Timeout)}");
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new CommandFailure(CommandLine.TimedOut, $"no answer from {url} within {Seconds(options.Timeout)}");
        }
        catch (Exception ex) when (ex is MwgClientException or WebSocketException or HttpRequestException or IOException)
        {
            throw new CommandFailure(CommandLine.CannotConnect, $"cannot connect to {url}");
        }
    }

    /// <summary>The exit code and line for a request that failed after the connection was made.</summary>
    public static CommandFailure Describe(MwgClientException ex, ClientOptions options) => ex.Code switch
    {
        ErrorCode.Timeout => new CommandFailure(CommandLine.TimedOut, $"no answer within {Seconds(options.Timeout)}"),
        ErrorCode.Unavailable when ex.OutcomeUnknown => new CommandFailure(CommandLine.CannotConnect, "the connection was lost before the answer; the write may or may not have been applied"),
        ErrorCode.Unavailable => new CommandFailure(CommandLine.CannotConnect, "the connection was lost"),
        _ => new CommandFailure(CommandLine.Failed, $"the server refused: {ex.Code}" + (string.IsNullOrWhiteSpace(ex.Message) ? string.Empty : $" ({OneLine(ex.Message)})")),
    };

    public static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
