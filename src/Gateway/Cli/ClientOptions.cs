using System.Globalization;
using System.Text;

namespace MwgActors.Gateway.Cli;

/// <summary>The options every client command shares: <c>--url</c>, <c>--json</c>, <c>--base64</c>, <c>--timeout</c>.</summary>
internal sealed record ClientOptions(string? Url, bool Json, bool Base64, TimeSpan Timeout, string? Token = null)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

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

        var options = new ClientOptions(args.Get("url"), args.Has("json"), args.Has("base64"), timeout, args.Get("token"));
        _ = options.WebSocketUri; // a bad --url is a usage error before anything connects
        return options;
    }

    public Uri WebSocketUri => ServerUrl.WebSocket(Url);

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
