using System.Text.Json.Nodes;

namespace MwgActors.Tool.Cli;

/// <summary>
/// <c>mwg get KEY...</c>: reads the keys in one batch. Prints <c>KEY&lt;TAB&gt;VALUE</c> per key, or
/// <c>KEY&lt;TAB&gt;(missing)</c>; <c>--json</c> prints <c>{"values":{"k":"v","m":null}}</c>. Exit 3 when a key is missing.
/// </summary>
internal static class GetCommand
{
    public static Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error) =>
        ClientCommand.RunAsync("get", args, output, error, [], async options =>
        {
            if (args.Positional.Count == 0)
            {
                throw new ArgumentException("give at least one key");
            }

            var keys = args.Positional.Select(options.Bytes).ToList();
            IReadOnlyList<byte[]?> values;
            await using (var client = await ClientSession.ConnectAsync(options, CancellationToken.None))
            {
                values = await client.GetAsync(keys);
            }

            if (options.Json)
            {
                var json = new JsonObject();
                for (var i = 0; i < keys.Count; i++)
                {
                    json[options.Text(keys[i])] = values[i] is { } value ? options.Text(value) : null;
                }

                await output.WriteLineAsync(new JsonObject { ["values"] = json }.ToJsonString(JsonOutput.Options));
            }
            else
            {
                for (var i = 0; i < keys.Count; i++)
                {
                    await output.WriteLineAsync($"{options.Text(keys[i])}\t{(values[i] is { } value ? options.Text(value) : "(missing)")}");
                }
            }

            await output.FlushAsync();
            return values.Any(v => v is null) ? CommandLine.NotFound : CommandLine.Ok;
        });
}
