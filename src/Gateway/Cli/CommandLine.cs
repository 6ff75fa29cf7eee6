namespace MwgActors.Gateway.Cli;

/// <summary>The <c>mwg</c> executable: <c>serve</c> and the operator commands.</summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public const string UsageText = """
        usage: mwg <command> [options]

          serve    run the server on the embedded RocksDB
                   --port N        port to listen on (default 7513, 0 picks one)
                   --bind ADDR     address to listen on (default 127.0.0.1)
                   --data DIR      data folder (default ./data)
                   --config FILE   HOCON file layered over hocon/reference.conf
          reload   push a forced reload of keys or prefixes to the subscriptions that match
                   --url URL       the server (default http://127.0.0.1:7513)
                   PREFIX...       keys or prefixes, as UTF-8 text
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            await output.WriteLineAsync(UsageText);
            return args.Length == 0 ? Usage : Ok;
        }

        ParsedArguments parsed;
        try
        {
            parsed = ParsedArguments.Parse(args[1..]);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"mwg {args[0]}: {ex.Message}");
            return Usage;
        }

        return args[0] switch
        {
            "serve" => await ServeCommand.RunAsync(parsed, output, error),
            "reload" => await ReloadCommand.RunAsync(parsed, output, error),
            _ => await UnknownAsync(args[0], error),
        };
    }

    private static async Task<int> UnknownAsync(string command, TextWriter error)
    {
        await error.WriteLineAsync($"mwg: unknown command '{command}'; try 'mwg help'");
        return Usage;
    }
}
