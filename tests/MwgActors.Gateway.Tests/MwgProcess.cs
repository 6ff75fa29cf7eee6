using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The real <c>mwg</c> executable run as a child process (<c>dotnet mwg.dll ...</c>, the dll the test project
/// builds alongside). Every read is bounded; disposing kills a child that is still running.
/// </summary>
internal sealed class MwgProcess : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly Channel<string> _errorLines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _error = new();
    private readonly Task _stderr;

    private MwgProcess(Process process)
    {
        _process = process;
        _stderr = PumpErrorAsync();
    }

    /// <summary>The tool's mwg.dll, copied next to the test assembly (src/Tool is referenced).</summary>
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "mwg.dll");

    public int Id => _process.Id;

    public static MwgProcess Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new MwgProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start mwg"));
    }

    /// <summary>Runs <c>mwg</c> to its end: the exit code, stdout and stderr.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] arguments)
    {
        await using var child = Start(arguments);
        var output = await child._process.StandardOutput.ReadToEndAsync().WaitAsync(Bound);
        var exit = await child.WaitForExitAsync();
        return (exit, output, await child.ErrorAsync());
    }

    /// <summary>The next stdout line; fails (naming stderr) when the child ends first or stays silent too long.</summary>
    public async Task<string> ReadLineAsync()
    {
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Bound);
        if (line is null)
        {
            var exit = await WaitForExitAsync();
            throw new InvalidOperationException($"mwg ended (exit code {exit}) without that line; stderr: {await ErrorAsync()}");
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

    /// <summary>The rest of stdout, once the child closes it (it exits).</summary>
    public async Task<string> ReadToEndAsync() => await _process.StandardOutput.ReadToEndAsync().WaitAsync(Bound);

    /// <summary>The next stderr line; fails when the child stays silent too long.</summary>
    public async Task<string> ReadErrorLineAsync() =>
        await _errorLines.Reader.ReadAsync().AsTask().WaitAsync(Bound);

    /// <summary>Ctrl-C: SIGINT to the child, as a terminal would send it.</summary>
    public Task InterruptAsync() => SignalAsync("INT");

    /// <summary>SIGTERM to the child, as a service manager stops it.</summary>
    public Task TerminateAsync() => SignalAsync("TERM");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(Bound);
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Bound);
        return _process.ExitCode;
    }

    /// <summary>All the child wrote to stderr, once it has exited.</summary>
    public async Task<string> ErrorAsync()
    {
        await _stderr.WaitAsync(Bound);
        lock (_error)
        {
            return _error.ToString();
        }
    }

    private async Task PumpErrorAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_error)
            {
                _error.AppendLine(line);
            }

            _errorLines.Writer.TryWrite(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Bound);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
