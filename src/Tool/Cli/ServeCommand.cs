using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Gateway.Server;
using MwgActors.Storage;

namespace MwgActors.Tool.Cli;

/// <summary><c>mwg serve</c>: runs the server until Ctrl-C or SIGTERM, then stops gracefully.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error)
    {
        Config config;
        try
        {
            args.AllowOnly("port", "bind", "data", "config", "insecure", "log-level", "log-format", "cluster", "seed", "role", "cluster-host", "cluster-port", "journal");
            config = BuildConfig(args);
        }
        catch (Exception ex) when (ex is ArgumentException or ConfigurationException or IOException)
        {
            await error.WriteLineAsync($"mwg serve: {ex.Message}");
            return CommandLine.Usage;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        MwgServer server;
        try
        {
            server = await MwgServer.StartAsync(config, stop.Token);
        }
        catch (Exception ex) when (ex is ConfigurationException or StoreException or IOException)
        {
            // One clear line: a bad setting, a data folder in use, a port taken.
            await error.WriteLineAsync($"mwg serve: {FirstLine(ex.Message)}");
            return CommandLine.Failed;
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            // An address this machine does not have (EADDRNOTAVAIL), or one the OS refuses: one line, not a stack trace.
            await error.WriteLineAsync($"mwg serve: cannot listen on {config.GetString("mwg.server.bind")} port {config.GetString("mwg.server.port")}: {FirstLine(ex.Message)}");
            return CommandLine.Failed;
        }
        catch (OperationCanceledException)
        {
            return CommandLine.Failed;
        }

        var cluster = server.Mwg.ClusterSettings;
        await using (server)
        {
            var storage = server.Mwg.StorageSettings;
            await output.WriteLineAsync($"mwg listening on {server.WebSocketUri} (dialects: G1, mwg.v1, mwg.json.v1{(server.TlsEnabled ? ", TLS" : string.Empty)})");
            if (server.ExposedInPlainText)
            {
                await output.WriteLineAsync($"mwg WARNING: serving plain text without authentication on {server.Address} (--insecure)");
            }

            if (cluster.Enabled)
            {
                await output.WriteLineAsync($"mwg cluster node {server.ClusterAddress} (roles {string.Join(", ", cluster.Roles)}; journal {cluster.JournalProviderName})");
            }

            if (!cluster.Enabled || cluster.IsStorage)
            {
                await output.WriteLineAsync(storage.Store == StoreKind.RocksDb
                    ? $"mwg {(cluster.Enabled ? "view" : "data")} in {Path.GetFullPath(storage.DataPath)} (RocksDB, durability {storage.Durability.ToString().ToLowerInvariant()})"
                    : $"mwg {(cluster.Enabled ? "view" : "data")} in memory (nothing survives a restart)");
            }

            await output.FlushAsync(CancellationToken.None);
            var stopped = Task.Delay(Timeout.Infinite, stop.Token);
            if (await Task.WhenAny(stopped, server.System.WhenTerminated) != stopped && !StoppedBySignal(server.System))
            {
                // The actor system ended by itself: in a cluster, this node was downed (split-brain resolver) or
                // removed by the others. Exit 1, for a service manager to restart it.
                await error.WriteLineAsync("mwg serve: the node left the cluster (downed or removed); stopping");
                return CommandLine.Failed;
            }

            await output.WriteLineAsync("mwg stopping: finishing requests in flight");
        }

        if (cluster.Enabled)
        {
            // The coordinated shutdown of the dispose left the cluster: the others took over its singletons.
            await output.WriteLineAsync("mwg left the cluster gracefully");
        }

        await output.WriteLineAsync("mwg stopped");
        return CommandLine.Ok;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>
    /// Whether a stop signal ended the actor system: Akka's own SIGTERM hook
    /// (<c>akka.coordinated-shutdown.run-by-clr-shutdown-hook</c>, off in <see cref="MwgServer"/> unless configured)
    /// may run the coordinated shutdown before this command's handler sees the signal.
    /// </summary>
    private static bool StoppedBySignal(ActorSystem system) =>
        CoordinatedShutdown.Get(system).ShutdownReason is CoordinatedShutdown.ClrExitReason;

    /// <summary>Command-line options over the --config file over reference.conf.</summary>
    internal static Config BuildConfig(ParsedArguments args)
    {
        var overrides = new List<string>();
        if (args.Get("port") is { } port)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > 65535)
            {
                throw new ArgumentException($"--port must be a number from 0 to 65535, not '{port}'");
            }

            overrides.Add($"mwg.server.port = {p}");
        }

        if (args.Get("bind") is { } bind)
        {
            overrides.Add($"mwg.server.bind = {MwgConfig.Quote(bind)}");
        }

        if (args.Get("data") is { } data)
        {
            overrides.Add($"mwg.storage.path = {MwgConfig.Quote(data)}");
        }

        if (args.Get("log-level") is { } level)
        {
            overrides.Add($"mwg.logging.level = {OneOf("--log-level", level, LogLevels)}");
        }

        if (args.Get("log-format") is { } format)
        {
            overrides.Add($"mwg.logging.format = {OneOf("--log-format", format, LogFormats)}");
        }

        if (Switches(args, out var cluster) is var insecure && insecure)
        {
            overrides.Add("mwg.server.insecure = on");
        }

        if (cluster)
        {
            overrides.Add("mwg.cluster.enabled = on");
        }

        if (args.GetAll("seed") is { Count: > 0 } seeds)
        {
            overrides.Add($"akka.cluster.seed-nodes = [{string.Join(", ", seeds.Select(Seed))}]");
        }

        if (args.GetAll("role") is { Count: > 0 } roles)
        {
            overrides.Add($"akka.cluster.roles = [{string.Join(", ", roles.Select(MwgConfig.Quote))}]");
        }

        if (args.Get("cluster-host") is { } host)
        {
            overrides.Add($"akka.remote.dot-netty.tcp.hostname = {MwgConfig.Quote(host)}");
        }

        if (args.Get("cluster-port") is { } clusterPort)
        {
            overrides.Add($"akka.remote.dot-netty.tcp.port = {Port(clusterPort, "--cluster-port")}");
        }

        if (args.Get("journal") is { } journal)
        {
            overrides.Add($"mwg.cluster.journal.connection-string = {MwgConfig.Quote(journal)}");
        }

        var config = ConfigurationFactory.ParseString(string.Join('\n', overrides));
        if (args.Get("config") is { } file)
        {
            if (!File.Exists(file))
            {
                throw new ArgumentException($"--config: no such file {file}");
            }

            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(file)));
        }

        return config;
    }

    /// <summary>The <c>--insecure</c> and <c>--cluster</c> switches; a stray word after one is refused rather than ignored.</summary>
    private static bool Switches(ParsedArguments args, out bool cluster)
    {
        if (args.Positional.Count > 0)
        {
            throw new ArgumentException($"unexpected argument '{args.Positional[0]}' (--insecure and --cluster take no value)");
        }

        cluster = args.Has("cluster");
        return args.Has("insecure");
    }

    /// <summary>A seed node's HOST:PORT as the Akka address of its actor system.</summary>
    private static string Seed(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostPort.Length - 1)
        {
            throw new ArgumentException($"--seed must be HOST:PORT (the --cluster-port of a node), not '{hostPort}'");
        }

        return MwgConfig.Quote($"akka.tcp://{MwgServer.ActorSystemName}@{hostPort[..colon]}:{Port(hostPort[(colon + 1)..], "--seed")}");
    }

    private static int Port(string text, string option) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new ArgumentException($"{option} port must be a number from 0 to 65535, not '{text}'");

    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];
    private static readonly string[] LogFormats = ["text", "json"];

    private static string OneOf(string option, string value, string[] allowed) =>
        allowed.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? value.ToLowerInvariant()
            : throw new ArgumentException($"{option} must be one of {string.Join(", ", allowed)}, not '{value}'");

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
