using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Gateway.Server;
using MwgActors.Storage;

namespace MwgActors.Gateway.Cli;

/// <summary><c>mwg serve</c>: runs the server until Ctrl-C or SIGTERM, then stops gracefully.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(ParsedArguments args, TextWriter output, TextWriter error)
    {
        Config config;
        try
        {
            args.AllowOnly("port", "bind", "data", "config", "insecure", "log-level", "log-format");
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
        catch (OperationCanceledException)
        {
            return CommandLine.Failed;
        }

        await using (server)
        {
            var storage = server.Mwg.StorageSettings;
            await output.WriteLineAsync($"mwg listening on {server.WebSocketUri} (dialects: G1, mwg.v1, mwg.json.v1{(server.TlsEnabled ? ", TLS" : string.Empty)})");
            if (server.ExposedInPlainText)
            {
                await output.WriteLineAsync($"mwg WARNING: serving plain text without authentication on {server.Address} (--insecure)");
            }

            await output.WriteLineAsync(storage.Store == StoreKind.RocksDb
                ? $"mwg data in {Path.GetFullPath(storage.DataPath)} (RocksDB, durability {storage.Durability.ToString().ToLowerInvariant()})"
                : "mwg data in memory (nothing survives a restart)");
            await output.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("mwg stopping: finishing requests in flight");
            }
        }

        await output.WriteLineAsync("mwg stopped");
        return CommandLine.Ok;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

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

        if (Insecure(args))
        {
            overrides.Add("mwg.server.insecure = on");
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

    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];
    private static readonly string[] LogFormats = ["text", "json"];

    private static string OneOf(string option, string value, string[] allowed) =>
        allowed.Contains(value, StringComparer.OrdinalIgnoreCase)
            ? value.ToLowerInvariant()
            : throw new ArgumentException($"{option} must be one of {string.Join(", ", allowed)}, not '{value}'");

    /// <summary>The explicit <c>--insecure</c> switch; a stray word after it is refused rather than ignored.</summary>
    private static bool Insecure(ParsedArguments args) =>
        args.Positional.Count == 0
            ? args.Has("insecure")
            : throw new ArgumentException($"unexpected argument '{args.Positional[0]}' (--insecure takes no value)");

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
