using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MwgActors.TestSupport;

/// <summary>
/// The real <c>mwg</c> executable (or a sample, <see cref="MwgProcessOptions.Dll"/>) run as a child process:
/// <c>dotnet mwg.dll ARGS</c>. Its stdout and stderr are read all along, line by line, so it never blocks on a full
/// pipe; a test reads them in order (<see cref="ReadLineAsync"/>) or as kept text (<see cref="Output"/>). Every read and
/// wait is bounded. Disposing kills a child still running (or stops it with SIGTERM first, when asked).
/// </summary>
public sealed partial class MwgProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly MwgProcessOptions _options;
    private readonly OutputLines _stdout;
    private readonly OutputLines _stderr;
    private readonly OutputLines _transcript;
    private Uri? _uri;

    private MwgProcess(Process process, MwgProcessOptions options)
    {
        _process = process;
        _options = options;
        _stdout = new OutputLines(options.KeepLines);
        _stderr = new OutputLines(options.KeepLines);
        _transcript = new OutputLines(options.KeepLines, readable: false);
        _stdout.Pump(process.StandardOutput, Heard);
        _stderr.Pump(process.StandardError, Heard);
    }

    /// <summary>The tool's mwg.dll, copied next to the test assembly (the test project references src/Tool).</summary>
    public static string MwgDll => Path.Combine(AppContext.BaseDirectory, "mwg.dll");

    public int Id => _process.Id;

    /// <summary>True once the child has ended, whatever the reason (an exit, a crash, a kill).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once the child has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The websocket address from the "mwg listening on" line; set by <see cref="WaitUntilListeningAsync"/>.</summary>
    public Uri Uri => _uri ?? throw new InvalidOperationException("mwg has not said where it listens yet");

    /// <summary>The stdout lines kept so far, each ended by a newline.</summary>
    public string Output => _stdout.Text();

    /// <summary>Stdout and stderr lines kept so far, in the order they arrived, for a failure message.</summary>
    public string Transcript => _transcript.Text().TrimEnd('\n');

    /// <summary>How the child ended and the last lines it wrote, for a failure message.</summary>
    public string ExitReport => _process.HasExited
        ? $"mwg exited with code {_process.ExitCode}; last stderr lines: {string.Join(" | ", _stderr.Last(20))}; "
            + $"last stdout lines: {string.Join(" | ", _stdout.Last(10))}"
        : "mwg is running";

    /// <summary>Starts <c>dotnet mwg.dll ARGS</c>.</summary>
    public static MwgProcess Start(params string[] arguments) => Start(new MwgProcessOptions(), arguments);

    public static MwgProcess Start(MwgProcessOptions options, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(arguments);
        if (!File.Exists(options.Dll))
        {
            throw new FileNotFoundException($"build it first: {options.Dll} is missing", options.Dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.WorkingDirectory is not null)
        {
            info.WorkingDirectory = options.WorkingDirectory;
        }

        info.ArgumentList.Add(options.Dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in options.Environment)
        {
            info.Environment[name] = value;
        }

        return new MwgProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {options.Dll}"), options);
    }

    /// <summary>
    /// <c>mwg serve --port 0 --data DATA ARGS</c>, returned once it says where it listens (<see cref="Uri"/>); a child
    /// that ends or stays silent instead is killed and the failure names its output.
    /// </summary>
    public static async Task<MwgProcess> StartServeAsync(string dataPath, MwgProcessOptions? options = null, params string[] arguments)
    {
        var server = Start(options ?? new MwgProcessOptions(), ["serve", "--port", "0", "--data", dataPath, .. arguments]);
        try
        {
            await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(90));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>mwg ARGS</c> to its end: the exit code, stdout and stderr.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] arguments)
    {
        await using var child = Start(arguments);
        var exit = await child.WaitForExitAsync();
        return (exit, child.Output, await child.ErrorAsync());
    }

    /// <summary>Reads stdout up to the "mwg listening on ws://..." line and keeps its address.</summary>
    public async Task<Uri> WaitUntilListeningAsync(TimeSpan? bound = null)
    {
        var line = await ReadUntilAsync(l => Listening().IsMatch(l), bound);
        _uri = new Uri(Listening().Match(line).Groups[1].Value);
        return _uri;
    }

    /// <summary>Polls <c>GET /readyz</c> on the listening port until it answers 200 (storage recovered, serving).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? bound = null)
    {
        var ready = new UriBuilder(Uri) { Scheme = Uri.Scheme == "wss" ? "https" : "http", Path = "/readyz" }.Uri;
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(bound ?? _options.Bound);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(ready, deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
        }
    }

    /// <summary>The next stdout line; fails (naming stderr) when the child ends first or stays silent too long.</summary>
    public async Task<string> ReadLineAsync(TimeSpan? bound = null)
    {
        using var deadline = new CancellationTokenSource(bound ?? _options.Bound);
        string? line;
        try
        {
            line = await _stdout.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"mwg wrote no line within {bound ?? _options.Bound}; output so far: {Transcript}");
        }

        if (line is null)
        {
            var exit = await WaitForExitAsync();
            throw new InvalidOperationException($"mwg ended (exit code {exit}) without that line; output: {Transcript}");
        }

        return line;
    }

    /// <summary>Stdout lines up to and including the first that starts with <paramref name="prefix"/>.</summary>
    public async Task<List<string>> ReadLinesUntilAsync(string prefix)
    {
        var lines = new List<string>();
        do
        {
            lines.Add(await ReadLineAsync());
        }
        while (!lines[^1].StartsWith(prefix, StringComparison.Ordinal));

        return lines;
    }

    /// <summary>Reads stdout up to the first line that <paramref name="matches"/>, within one bound for all of them.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> matches, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var deadline = Stopwatch.StartNew();
        var total = bound ?? _options.Bound;
        while (true)
        {
            var left = total - deadline.Elapsed;
            var line = await ReadLineAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (matches(line))
            {
                return line;
            }
        }
    }

    /// <summary>The stdout lines not read yet, once the child closes stdout (it exits), each ended by a newline.</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var deadline = new CancellationTokenSource(_options.Bound);
        var rest = new System.Text.StringBuilder();
        while (await _stdout.ReadAsync(deadline.Token) is { } line)
        {
            rest.Append(line).Append('\n');
        }

        return rest.ToString();
    }

    /// <summary>The next stderr line; fails when the child stays silent too long.</summary>
    public async Task<string> ReadErrorLineAsync()
    {
        using var deadline = new CancellationTokenSource(_options.Bound);
        return await _stderr.ReadAsync(deadline.Token)
            ?? throw new InvalidOperationException($"mwg closed stderr without that line; output: {Transcript}");
    }

    /// <summary>All the child wrote to stderr, once it has closed it (it exits).</summary>
    public async Task<string> ErrorAsync()
    {
        await _stderr.Completion.WaitAsync(_options.Bound);
        return _stderr.Text();
    }

    /// <summary>Ctrl-C: SIGINT to the child, as a terminal would send it.</summary>
    public Task InterruptAsync() => SignalAsync("INT");

    /// <summary>SIGTERM to the child, as a service manager stops it; returns once sent.</summary>
    public Task TerminateAsync() => SignalAsync("TERM");

    /// <summary>Sends a signal (TERM, INT, STOP, CONT ...) with kill(1).</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(_options.Bound);
    }

    /// <summary>SIGKILL (no shutdown code runs), then waits until the process is gone and the kernel released its files.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await _process.WaitForExitAsync().WaitAsync(_options.Bound);
    }

    /// <summary>Waits until the child has exited and all its output is read; its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? bound = null)
    {
        var within = bound ?? _options.Bound;
        await _process.WaitForExitAsync().WaitAsync(within);
        await Task.WhenAll(_stdout.Completion, _stderr.Completion).WaitAsync(within);
        return _process.ExitCode;
    }

    /// <summary>Resident and peak resident memory of the child (VmRSS, VmHWM from /proc), for a test's output.</summary>
    public string MemoryReport()
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{_process.Id}/status");
            return string.Join(", ", status.Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal) || l.StartsWith("VmHWM:", StringComparison.Ordinal))
                .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }
        catch (IOException)
        {
            return "memory unknown (no /proc entry: the process is gone or this is not Linux)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited && _options.StopGracefully)
            {
                await SignalAsync("TERM");
                try
                {
                    await _process.WaitForExitAsync().WaitAsync(_options.Bound);
                }
                catch (TimeoutException)
                {
                    // Killed below.
                }
            }

            if (!_process.HasExited)
            {
                await KillAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Heard(string line)
    {
        _transcript.Add(line);
        _options.OnLine?.Invoke(line);
    }

    [GeneratedRegex(@"^mwg listening on (wss?://\S+/)")]
    private static partial Regex Listening();
}
