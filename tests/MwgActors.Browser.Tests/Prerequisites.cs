namespace MwgActors.Browser.Tests;

/// <summary>
/// What the Node and browser tests need on the machine: node, the npm packages of clients/js (npm ci), Debian's
/// chromium. <c>.ci/setup-browser.sh</c> installs them. Missing under CI (CI=true) is a failure, never a skip.
/// </summary>
internal static class Prerequisites
{
    public static string Node { get; } = Environment.GetEnvironmentVariable("NODE") ?? FindOnPath("node") ?? "node";

    public static string Chromium { get; } = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the Node tests cannot run here, or null when they can.</summary>
    public static string? NodeMissing()
    {
        if (FindOnPath("node") is null && Environment.GetEnvironmentVariable("NODE") is null)
        {
            return "node is not installed (run .ci/setup-browser.sh)";
        }

        return Directory.Exists(Path.Combine(NodeTestRun.ClientFolder, "node_modules", "ws"))
            ? null
            : "clients/js/node_modules is missing (run .ci/setup-browser.sh, or npm ci in clients/js)";
    }

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? BrowserMissing() =>
        NodeMissing()
        ?? (File.Exists(Chromium) ? null : $"{Chromium} is missing (run .ci/setup-browser.sh: apt-get install chromium)")
        ?? (Directory.Exists(Path.Combine(NodeTestRun.ClientFolder, "node_modules", "playwright-core")) ? null : "playwright-core is missing (npm ci in clients/js)");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs node and the client's npm packages: skipped (with the reason) outside CI when they are
/// missing; under CI it runs and fails, so a CI machine without them cannot pass by skipping.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (!Prerequisites.InCi && Prerequisites.NodeMissing() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>As <see cref="NodeFactAttribute"/>, and Chromium with playwright-core.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Prerequisites.InCi && Prerequisites.BrowserMissing() is { } reason)
        {
            Skip = reason;
        }
    }
}
