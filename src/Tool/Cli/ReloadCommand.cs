using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace MwgActors.Tool.Cli;

/// <summary>
/// <c>mwg reload PREFIX...</c>: asks a running server to push a forced reload (POST /admin/reload on the host and
/// port of <c>--url</c>, which may be the ws:// address the other client commands use).
/// </summary>
internal static class ReloadCommand
{
    public static Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        ClientCommand.RunAsync("reload", args, output, error, ["token"], async options =>
        {
            if (args.Positional.Count == 0)
            {
                throw new ArgumentException("give at least one key or prefix");
            }

            var prefixes = args.Positional.Select(p => Convert.ToBase64String(options.Bytes(p))).ToList();
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            if (args.Get("token") is { Length: > 0 } token)
            {
                // With mwg.auth on, /admin/reload needs a token with the reload right.
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }

            // Several --url: the first server that can be reached takes it (a reload reaches that node's subscriptions).
            var urls = options.HttpUris("/admin/reload");
            int? subscriptions = null;
            var unreachable = new List<string>();
            foreach (var url in urls)
            {
                try
                {
                    subscriptions = await PostAsync(http, url, prefixes, options, cancellationToken);
                    break;
                }
                catch (CommandFailure failure) when (failure.ExitCode == CommandLine.CannotConnect && urls.Count > 1)
                {
                    unreachable.Add(failure.Message);
                }
            }

            var reached = subscriptions ?? throw new CommandFailure(CommandLine.CannotConnect, $"cannot connect to any --url: {string.Join("; ", unreachable)}");
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { subscriptions = reached }));
            }
            else
            {
                await output.WriteLineAsync($"reload pushed to {reached} subscription(s)");
            }

            return CommandLine.Ok;
        });

    /// <summary>One POST /admin/reload: the number of subscriptions it reached, or a <see cref="CommandFailure"/>.</summary>
    private static async Task<int> PostAsync(HttpClient http, Uri url, List<string> prefixes, ClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await http.PostAsJsonAsync(url, new { prefixes, encoding = "base64" }, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new CommandFailure(CommandLine.Failed, $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            return body.RootElement.GetProperty("subscriptions").GetInt32();
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CommandFailure(CommandLine.CannotConnect, $"cannot reach {url}");
        }
        catch (HttpRequestException)
        {
            throw new CommandFailure(CommandLine.Failed, $"the request to {url} failed");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandFailure(CommandLine.TimedOut, $"no answer from {url} within {ClientSession.Seconds(options.Timeout)}");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new CommandFailure(CommandLine.Failed, $"unexpected answer from {url}");
        }
    }
}
