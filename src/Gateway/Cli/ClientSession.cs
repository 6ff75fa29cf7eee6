using System.Globalization;
using System.Net.Sockets;
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
        await ProbeAsync(url, options.Timeout, cancellationToken);
        var settings = new MwgClientOptions { Url = url, ConnectTimeout = options.Timeout, RequestTimeout = options.Timeout, Token = options.Token };
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
    /// One TCP connect first, because the client retries its first connection until the connect timeout and cannot
    /// say why it failed: a refused port or an unknown host is reported at once, as such, instead of after 10 s.
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
