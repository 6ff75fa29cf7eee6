namespace MwgActors.Storage.Tests.RocksDb;

/// <summary>
/// A fact about file permissions. Root bypasses file modes, so as root the test runs its probe process
/// as the unprivileged user 'nobody' through setpriv, and is skipped when that is not possible.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PermissionFactAttribute : FactAttribute
{
    private const string SetPriv = "/usr/bin/setpriv";

    public PermissionFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix file modes only";
        }
        else if (IsRoot && !File.Exists(SetPriv))
        {
            Skip = $"running as root, and {SetPriv} is missing to run the probe as an unprivileged user";
        }
    }

    /// <summary>The command prefix that drops root's privileges, or nothing for a normal user.</summary>
    public static IReadOnlyList<string> RunAsUnprivileged { get; } =
        IsRoot ? [SetPriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];

    private static bool IsRoot => Environment.UserName == "root";
}
