using System.Text.Json;
using MwgActors.Protocol;

namespace MwgActors.Tool.Cli;

/// <summary><c>mwg put KEY VALUE...</c>: writes the pairs in one atomic batch and prints the store revision of the write.</summary>
internal static class PutCommand
{
    public static Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error) =>
        ClientCommand.RunAsync("put", args, output, error, [], async options =>
        {
            if (args.Positional.Count == 0 || args.Positional.Count % 2 != 0)
            {
                throw new ArgumentException("give pairs of KEY VALUE");
            }

            var pairs = args.Positional.Chunk(2).Select(p => new KeyValue(options.Bytes(p[0]), options.Bytes(p[1]))).ToList();
            long revision;
            await using (var client = await ClientSession.ConnectAsync(options, CancellationToken.None))
            {
                revision = await client.PutAsync(pairs);
            }

            await WriteRevisionAsync(output, options, revision);
            return CommandLine.Ok;
        });

    /// <summary>The revision of a write: the bare number, or <c>{"revision":N}</c> with <c>--json</c>.</summary>
    internal static async Task WriteRevisionAsync(TextWriter output, ClientOptions options, long revision)
    {
        await output.WriteLineAsync(options.Json
            ? JsonSerializer.Serialize(new { revision }, JsonOutput.Options)
            : revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await output.FlushAsync();
    }
}
