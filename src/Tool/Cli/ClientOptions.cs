using System.Globalization;
using System.Text;

namespace MwgActors.Tool.Cli;

/// <summary>
/// The options every client command shares: <c>--url</c> (repeatable: fallbacks in order), <c>--json</c>,
/// <c>--base64</c>, <c>--timeout</c>, <c>--token</c>.
/// </summary>
internal sealed record ClientOptions(IReadOnlyList<string> Urls, bool Json, bool Base64, TimeSpan Timeout, string? Token = null)
{
    /// <summary>
    /// Long enough for a cluster's failover (docs/cluster.md#failover-timings): a request answered "unavailable"
    /// meanwhile is sent again within it, so a put during a failover succeeds instead of timing out.
    /// </summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The option names to pass to <see cref="ParsedArguments.AllowOnly"/>, with a command's own.</summary>
    public static string[] Names(params string[] own) => ["url", "json", "base64", "timeout", "token", .. own];

    public static ClientOptions From(ParsedArguments args)
    {
        var timeout = DefaultTimeout;
        if (args.Get("timeout") is { } text)
        {
            if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > 86_400)
            {
                throw new ArgumentException($"--timeout must be a number of seconds above 0, not '{text}'");
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        var options = new ClientOptions(args.GetAll("url"), args.Has("json"), args.Has("base64"), timeout, args.Get("token"));
        _ = options.WebSocketUris; // a bad --url is a usage error before anything connects
        return options;
    }

    /// <summary>The websocket address of each <c>--url</c>, in the order given (the default address when none).</summary>
    public IReadOnlyList<Uri> WebSocketUris => Urls.Count == 0 ? [ServerUrl.WebSocket(null)] : [.. Urls.Select(ServerUrl.WebSocket)];

    /// <summary>The HTTP address of <paramref name="path"/> on each <c>--url</c>'s server, in order.</summary>
    public IReadOnlyList<Uri> HttpUris(string path) => Urls.Count == 0 ? [ServerUrl.Http(null, path)] : [.. Urls.Select(u => ServerUrl.Http(u, path))];

    /// <summary>A key or value from the command line: UTF-8 text, or Base64 with <c>--base64</c>.</summary>
    public byte[] Bytes(string text)
    {
        if (!Base64)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"'{text}' is not Base64");
        }
    }

    /// <summary>Bytes for output: Base64 with <c>--base64</c>, else UTF-8 text (invalid sequences become U+FFFD).</summary>
    public string Text(ReadOnlySpan<byte> bytes) => Base64 ? Convert.ToBase64String(bytes) : Encoding.UTF8.GetString(bytes);
}
