namespace MwgActors.Tool.Cli;

/// <summary><c>mwg remove KEY...</c>: removes the keys in one atomic batch and prints the store revision of the removal.</summary>
internal static class RemoveCommand
{
    public static Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error) =>
        ClientCommand.RunAsync("remove", args, output, error, [], async options =>
        {
            if (args.Positional.Count == 0)
            {
                throw new ArgumentException("give at least one key");
            }

            var keys = args.Positional.Select(options.Bytes).ToList();
            long revision;
            await using (var client = await ClientSession.ConnectAsync(options, CancellationToken.None))
            {
                revision = await client.RemoveAsync(keys);
            }

            await PutCommand.WriteRevisionAsync(output, options, revision);
            return CommandLine.Ok;
        });
}
