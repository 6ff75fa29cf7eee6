using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace MwgActors.Samples.Tests;

/// <summary>
/// A sample run as a real process (<c>dotnet SAMPLE.dll ...</c>, the dll the test project builds alongside), in
/// the sample's output folder so it finds its appsettings.json. Every read is bounded; disposing stops a child
/// still running (SIGTERM, as a service manager would, then a kill).
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Task _stderr;

    private SampleProcess(Process process)
    {
        _process = process;
        _stderr = PumpErrorAsync();
    }

    public static SampleProcess Start(string sample, params string[] arguments)
    {
        var dll = typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == sample).Value
            ?? throw new InvalidOperationException($"the test assembly does not name the {sample} dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"build samples/{sample} first: {dll} is missing", dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new SampleProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {sample}"));
    }

    /// <summary>Everything printed to stdout so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Reads stdout up to the first line that <paramref name="matches"/>; fails naming the output when the child ends or stays silent too long.</summary>
    public async Task<string> ReadUntilAsync(Func<string, bool> matches)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (await _process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (matches(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"the sample ended without that line; stdout: {Output}; stderr: {await ErrorAsync()}");
    }

    /// <summary>Reads stdout to its end and waits for the exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        var rest = await _process.StandardOutput.ReadToEndAsync().WaitAsync(Bound);
        lock (_output)
        {
            _output.Append(rest);
        }

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

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                try
                {
                    await _process.WaitForExitAsync().WaitAsync(Bound);
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            _process.Dispose();
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
        }
    }
}
