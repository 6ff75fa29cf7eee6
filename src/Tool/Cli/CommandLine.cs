namespace MwgActors.Tool.Cli;

/// <summary>The <c>mwg</c> executable: <c>serve</c> and the client commands.</summary>
public static class CommandLine
{
    public const int Ok = 0;

    /// <summary>The server refused or failed the request (an error reply, an HTTP error status).</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments.</summary>
    public const int Usage = 2;

    /// <summary><c>get</c>: at least one key has no value.</summary>
    public const int NotFound = 3;

    /// <summary>No answer within <c>--timeout</c>.</summary>
    public const int TimedOut = 4;

    /// <summary>Nothing answers at <c>--url</c>, or the connection was lost.</summary>
    public const int CannotConnect = 5;

    /// <summary>
    /// The request was sent, then the connection was lost or no answer came within <c>--timeout</c>: the server may
    /// or may not have applied it (a write in flight during a cluster's failover).
    /// </summary>
    public const int OutcomeUnknown = 6;

    /// <summary>Ctrl-C (or SIGTERM) before the command was done, as shells count it (128 + SIGINT).</summary>
    public const int Interrupted = 130;

    public const string UsageText = """
        usage: mwg <command> [options]

          serve    run the server on the embedded RocksDB
                   --port N        port to listen on (default 7513, 0 picks one)
                   --bind ADDR     address to listen on (default 127.0.0.1)
                   --data DIR      data folder (default ./data)
                   --config FILE   HOCON file layered over hocon/reference.conf
                   --insecure      allow a plain-text bind beyond loopback (TLS: mwg.server.tls, docs/security.md)
                   --cluster       run as a node of a cluster (docs/cluster.md); with it:
                   --journal CS    connection string of the shared journal (PostgreSQL; mwg.cluster.journal)
                   --seed HOST:PORT  a seed node's cluster address; repeatable; none: this node starts a cluster
                   --role ROLE     gateway (websockets) or storage (view, writer); repeatable; default both
                   --cluster-host H, --cluster-port N   this node's cluster address (default 127.0.0.1, 2552)
                   --log-level L   trace, debug, information (default), warning, error, critical or none
                   --log-format F  text (default: one line per event) or json (one object per line)
                   GET /metrics serves Prometheus metrics (mwg.server.metrics; docs/observability.md)

          token    print a JWT (HS256) for clients when mwg.auth is on (docs/security.md)
                   --sub NAME      the subject (who the token is for); required
                   --read P, --write P, --subscribe P, --lock P, --reload P
                                   grant the right on key prefix P (UTF-8; "" = every key); repeatable
                   --ttl TTL       lifetime such as 30s, 15m, 1h, 7d; required
                   --secret S | --secret-file F | --config FILE
                                   the signing key: given, read from a file, or the file's mwg.auth

        client commands (keys, values and prefixes are UTF-8 text; `--` ends the options):
          get KEY...               print KEY<TAB>VALUE per key, KEY<TAB>(missing) for a key with no value
                                   (exit 3 when any is missing); --json: {"values":{"k":"v","m":null}}
          put KEY VALUE...         write the pairs in one atomic batch; print the revision of the write
          remove KEY...            remove the keys in one atomic batch; print the revision of the removal
          watch PREFIX...          print each change under the prefixes ("" = every key) until Ctrl-C:
                                     REVISION<TAB>KEY<TAB>VALUE  or  REVISION<TAB>KEY<TAB>(removed)
                                     reload<TAB>key|prefix<TAB>NAME, reload<TAB>all<TAB>REVISION (reloads)
                                   after a reconnect it resumes after the last revision printed (state
                                   lines on stderr); --json: one object per change batch or reload
                   --since REV     start after revision REV (replays the changes since it first)
          reload PREFIX...         push a forced reload of keys or prefixes to the subscriptions that match
                                   (POST /admin/reload on the host and port of --url)
                   --token TOKEN   with mwg.auth on: a token with the reload right (mwg token --reload P)
          lock                     lease a free id prefix; print PREFIX<TAB>LEASE-TOKEN (token in Base64)
                                   and exit: the server keeps the lease for its grace period
                                   (mwg.locks.grace-period) after the connection closes, then frees it
                   --hold          keep the connection and the lease until Ctrl-C, then unlock

        client options:
          --url URL        the server: ws://, wss://, http:// or https:// (default ws://127.0.0.1:7513/);
                           repeatable: the first that answers is used, the others (in order) when it is lost
                           (the gateway nodes of a cluster)
          --json           JSON output for scripts
          --base64         keys, values and prefixes are Base64, on the command line and in the output
          --timeout SECS   how long to wait for the connection and for each answer, retries of a server
                           answering "unavailable" included (default 30: above a cluster's failover)
          --token TOKEN    a token (JWT from `mwg token`, or an API key) for a server with authentication on

        exit codes: 0 ok (watch: stopped by Ctrl-C), 1 refused or failed by the server, 2 usage,
                    3 get: a key is missing, 4 timeout, 5 cannot connect or connection lost,
                    6 outcome unknown: the request was sent, then no answer came (timeout or connection
                      lost), so it may or may not have been applied (--json: {"outcomeUnknown":true,...}),
                    130 interrupted; every failure prints one line `mwg COMMAND: REASON` on stderr
        """;

    /// <summary>The switches (options without a value) of all commands.</summary>
    private static readonly HashSet<string> Switches = new(["json", "base64", "hold", "insecure", "cluster"], StringComparer.Ordinal);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        RunAsync(args, output, error, CancellationToken.None);

    /// <summary>
    /// Runs a command; <paramref name="stop"/> does what Ctrl-C does (ends <c>watch</c> and <c>lock --hold</c>
    /// cleanly), for hosts and tests that run commands in-process.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken stop)
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
            parsed = ParsedArguments.Parse(args[1..], Switches);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"mwg {args[0]}: {ex.Message}");
            return Usage;
        }

        return args[0] switch
        {
            "serve" => await ServeCommand.RunAsync(parsed, output, error),
            "token" => await TokenCommand.RunAsync(parsed, output, error),
            "get" => await GetCommand.RunAsync(parsed, output, error),
            "put" => await PutCommand.RunAsync(parsed, output, error),
            "remove" => await RemoveCommand.RunAsync(parsed, output, error),
            "watch" => await WatchCommand.RunAsync(parsed, output, error, stop),
            "reload" => await ReloadCommand.RunAsync(parsed, output, error, stop),
            "lock" => await LockCommand.RunAsync(parsed, output, error, stop),
            _ => await UnknownAsync(args[0], error),
        };
    }

    private static async Task<int> UnknownAsync(string command, TextWriter error)
    {
        await error.WriteLineAsync($"mwg: unknown command '{command}'; try 'mwg help'");
        return Usage;
    }
}
