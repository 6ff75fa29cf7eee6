using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MwgActors.Browser.Tests;

/// <summary>
/// Runs one test file of clients/js with Node's own test runner (<c>node --test</c>, TAP output) and reads its
/// counts. The Node tests start the gateway this project builds (<c>MWG_DLL</c>) as a separate process, and put
/// their artifacts (screenshots) in <c>TestResults/browser</c> at the repository root.
/// </summary>
internal sealed partial record NodeTestRun(int ExitCode, int Passed, int Failed, string Output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string ClientFolder => Path.Combine(RepositoryRoot, "clients", "js");

    public static string Artifacts => Path.Combine(RepositoryRoot, "TestResults", "browser");

    public static async Task<NodeTestRun> RunAsync(string testFile)
    {
        var info = new ProcessStartInfo(Prerequisites.Node)
        {
            WorkingDirectory = ClientFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--test", "--test-reporter=tap", Path.Combine("test", testFile) })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["MWG_DLL"] = Path.Combine(AppContext.BaseDirectory, "mwg.dll");
        info.Environment["MWG_ARTIFACTS"] = Artifacts;
        info.Environment["CHROMIUM"] = Prerequisites.Chromium;

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        try
        {
            await process.WaitForExitAsync().WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            // The servers and browsers it started go with it.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            lock (output)
            {
                output.AppendLine($"(node --test killed after {Bound})");
            }
        }

        await Task.WhenAll(stdout, stderr);
        var text = output.ToString();
        return new NodeTestRun(process.ExitCode, Count(text, "pass"), Count(text, "fail"), text);
    }

    /// <summary>Passes only when node exited 0, ran at least one test, and none failed; else shows node's output.</summary>
    public void AssertPassed()
    {
        Assert.True(
            ExitCode == 0 && Failed == 0 && Passed > 0,
            $"node --test: exit {ExitCode}, {Passed} passed, {Failed} failed\n{Output}");
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    // TAP summary lines: "# pass 19", "# fail 0".
    private static int Count(string tap, string name)
    {
        var match = Regex.Match(tap, $@"^# {name} (\d+)\s*$", RegexOptions.Multiline);
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static string FindRepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MwgActors.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("MwgActors.sln not found above " + AppContext.BaseDirectory);
    }
}
