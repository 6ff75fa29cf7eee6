using System.Text.Json;

namespace MwgActors.Gateway.Cli;

/// <summary><c>mwg reload PREFIX...</c>: asks a running server to push a forced reload (POST /admin/reload).</summary>
internal static class ReloadCommand
{
    public static async Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error)
    {
        try
        {
            args.AllowOnly("url");
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"mwg reload: {ex.Message}");
            return CommandLine.Usage;
        }

        if (args.Positional.Count == 0)
        {
            await error.WriteLineAsync("mwg reload: give at least one key or prefix");
            return CommandLine.Usage;
        }

        var url = new Uri(new Uri(args.Get("url") ?? "http://127.0.0.1:7513"), "/admin/reload");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.PostAsJsonAsync(url, new { prefixes = args.Positional, encoding = "utf8" });
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"mwg reload: the server answered {(int)response.StatusCode}");
                return CommandLine.Failed;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            await output.WriteLineAsync($"reload pushed to {body.RootElement.GetProperty("subscriptions").GetInt32()} subscription(s)");
            return CommandLine.Ok;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            await error.WriteLineAsync($"mwg reload: cannot reach {url}");
            return CommandLine.Failed;
        }
    }
}
