using System.Diagnostics;
using System.Reflection;

namespace MwgActors.Storage.Tests;

/// <summary>
/// A run of MwgActors.TestProcess (a real second process) with a subcommand. Reads its first output
/// line; disposing closes its stdin, which tells long-running commands to finish, and waits for the exit.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public static string DllPath { get; } =
        typeof(ChildProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "MwgActors.TestProcess").Value
        ?? throw new InvalidOperationException("the test assembly does not name the MwgActors.TestProcess dll");

    // Used only to run as another user, which only Unix does here (PermissionFact).
    private static readonly Lazy<string> ReadableCopy = new(() => OperatingSystem.IsWindows() ? DllPath : CopyToReadableFolder());

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CopyToReadableFolder()
    {
        var source = Path.GetDirectoryName(DllPath)!;
        var target = Path.Combine(Path.GetTempPath(), "mwg-testprocess-" + Guid.NewGuid().ToString("N"));
        var readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
        {
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)), readable);
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(target, recursive: true);
        return Path.Combine(target, Path.GetFileName(DllPath));
    }

    /// <summary>Starts the helper; <paramref name="runAs"/> prefixes the command (e.g. setpriv to drop privileges).</summary>
    public static ChildProcess Start(IReadOnlyList<string> arguments, IReadOnlyList<string>? runAs = null)
    {
        if (!File.Exists(DllPath))
        {
            throw new FileNotFoundException($"build tests/MwgActors.TestProcess first: {DllPath} is missing", DllPath);
        }

        // A helper run as another user must be able to reach its files: the checkout may sit below a folder only its
        // owner can enter (mktemp -d makes one), so that run uses a copy in a folder everyone may read.
        var dll = runAs is null ? DllPath : ReadableCopy.Value;
        var command = new List<string>(runAs ?? []) { "dotnet", dll };
        command.AddRange(arguments);
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        return new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the test process"));
    }

    /// <summary>The next line the child prints, or a failure naming what it wrote to stderr.</summary>
    public async Task<string> ReadLineAsync()
    {
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
        if (line is null)
        {
            var error = await _process.StandardError.ReadToEndAsync().WaitAsync(Timeout);
            throw new InvalidOperationException($"the test process ended without output: {error}");
        }

        return line;
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }
}
