using System.Globalization;
using System.Net.Sockets;
using MwgActors.Client;
using MwgActors.Protocol;

namespace MwgActors.Tool.Cli;

/// <summary>Opens the <see cref="MwgClient"/> of a client command and names its failures for people.</summary>
internal static class ClientSession
{
    /// <summary>
    /// Connects to the first <c>--url</c> that answers, the others (in order) being the client's fallbacks when its
    /// connection is lost: exit 5 when nothing answers at any, 4 when one does not answer in time.
    /// </summary>
    public static async Task<MwgClient> ConnectAsync(ClientOptions options, CancellationToken cancellationToken)
    {
        var urls = options.WebSocketUris;
        var answered = await FirstAnsweringAsync(urls, options.Timeout, cancellationToken);
        var url = urls[answered];
        var settings = new MwgClientOptions
        {
            Url = url,
            FallbackUrls = [.. urls.Skip(answered + 1), .. urls.Take(answered)],
            ConnectTimeout = options.Timeout,
            RequestTimeout = options.Timeout,
            Token = options.Token,
        };
        try
        {
            return await MwgClient.ConnectAsync(settings, cancellationToken);
        }
        catch (MwgClientException ex) when (ex.Code is ErrorCode.Unavailable or ErrorCode.Timeout)
        {
            // Something listens (the probe got in) but no session came up: a silent or overloaded server.
            throw new CommandFailure(CommandLine.TimedOut, $"no answer from {url} within {Seconds(options.Timeout)}");
        }
    }

    /// <summary>
    /// The index of the first address that accepts a TCP connection, tried in order. One address: its failure as
    /// is; several: every address with its reason, and exit 4 only when each of them timed out.
    /// </summary>
    private static async Task<int> FirstAnsweringAsync(IReadOnlyList<Uri> urls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var failures = new List<CommandFailure>();
        for (var i = 0; i < urls.Count; i++)
        {
            try
            {
                await ProbeAsync(urls[i], timeout, cancellationToken);
                return i;
            }
            catch (CommandFailure failure)
            {
                failures.Add(failure);
            }
        }

        if (failures.Count == 1)
        {
            throw failures[0];
        }

        var reasons = string.Join("; ", failures.Select(f => f.Message));
        throw failures.TrueForAll(f => f.ExitCode == CommandLine.TimedOut)
            ? new CommandFailure(CommandLine.TimedOut, $"no answer from any --url: {reasons}")
            : new CommandFailure(CommandLine.CannotConnect, $"cannot connect to any --url: {reasons}");
    }

    /// <summary>
    /// One TCP connect first, because the client retries its first connection until the connect timeout and cannot
    /// say why it failed: a refused port or an unknown host is reported at once, as such, instead of after the timeout.
    /// </summary>
    private static async Task ProbeAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, deadline.Token);
        }
        catch (SocketException ex)
        {
            var reason = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "unreachable",
                _ => ex.SocketErrorCode.ToString(),
            };
            throw new CommandFailure(CommandLine.CannotConnect, $"cannot connect to {url} ({reason})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailure(CommandLine.TimedOut, $"no answer from {url} within {Seconds(timeout)}");
        }
    }

    /// <summary>The exit code and line for a request that failed after the connection was made.</summary>
    public static CommandFailure Describe(MwgClientException ex, ClientOptions options) => ex switch
    {
        // Sent, then no answer or no connection: the server may have applied it. Said as such, with its own exit code,
        // so a script does not blindly retry a write that was applied (or give up on one that was not).
        { OutcomeUnknown: true, Code: ErrorCode.Timeout } => CommandFailure.Unknown($"no answer within {Seconds(options.Timeout)} after the request was sent"),
        { OutcomeUnknown: true } => CommandFailure.Unknown("the connection was lost after the request was sent"),
        { Code: ErrorCode.Timeout } => new CommandFailure(CommandLine.TimedOut, $"no answer within {Seconds(options.Timeout)}"),
        { Code: ErrorCode.Unavailable } => new CommandFailure(CommandLine.CannotConnect, "the connection was lost"),
        _ => new CommandFailure(CommandLine.Failed, $"the server refused: {ex.Code}" + (string.IsNullOrWhiteSpace(ex.Message) ? string.Empty : $" ({OneLine(ex.Message)})")),
    };

    public static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
