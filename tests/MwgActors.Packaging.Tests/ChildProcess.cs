using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace MwgActors.Packaging.Tests;

/// <summary>A child process with its output read line by line; every wait is bounded; disposing kills it if still running.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _all = new();
    private readonly Task _pumps;

    private ChildProcess(Process process)
    {
        _process = process;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError))
            .ContinueWith(_ => _output.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <summary>Everything the child wrote so far, stdout and stderr interleaved as read.</summary>
    public string Transcript => string.Join('\n', _all);

    public static ChildProcess Start(string file, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}"));
    }

    /// <summary>Runs to the end: the exit code and the transcript. Fails, with the transcript, past <paramref name="timeout"/>.</summary>
    public static async Task<(int Exit, string Transcript)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        await using var child = Start(file, arguments, environment: environment);
        var exit = await child.WaitForExitAsync(timeout);
        return (exit, child.Transcript);
    }

    /// <summary>The first output line that <paramref name="match"/> accepts; fails past <paramref name="timeout"/> or at the end of output.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var line in _output.Reader.ReadAllAsync(deadline.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no such line within {timeout}; output so far:\n{Transcript}");
        }

        throw new InvalidOperationException($"the process ended without such a line; output:\n{Transcript}");
    }

    /// <summary>The first line of the whole output, read already or still to come, that <paramref name="match"/> accepts.</summary>
    public async Task<string> FindLineAsync(Func<string, bool> match, TimeSpan timeout) =>
        _all.FirstOrDefault(match) ?? await ReadUntilAsync(match, timeout);

    /// <summary>Ctrl-C, as a terminal sends it.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _pumps.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"still running after {timeout}; output so far:\n{Transcript}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _all.Enqueue(line);
            _output.Writer.TryWrite(line);
        }
    }
}
