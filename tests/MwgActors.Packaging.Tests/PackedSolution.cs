using System.Runtime.InteropServices;

namespace MwgActors.Packaging.Tests;

/// <summary>
/// Packs the solution once (<c>dotnet pack --no-build</c>: the src projects are built before the tests) into a temporary
/// folder and installs the <c>mwg</c> tool from that folder alone (a NuGet configuration with no other source, so no
/// network is used). Shared by the tests of the class; the folder is removed afterwards.
/// </summary>
public sealed class PackedSolution : IAsyncLifetime
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "mwg-pack-" + Guid.NewGuid().ToString("N"));

    public string Packages => Path.Combine(Root, "packages");

    public string ToolPath => Path.Combine(Root, "tools");

    public string Tool => Path.Combine(ToolPath, "mwg");

    public string RepositoryRoot { get; } = FindRepositoryRoot();

    public string ToolVersion { get; private set; } = string.Empty;

    /// <summary>A NuGet configuration whose only source is <see cref="Packages"/>.</summary>
    public string NuGetConfig => Path.Combine(Root, "nuget.config");

    /// <summary>The dotnet that runs the tests: the tool's launcher needs its folder (DOTNET_ROOT).</summary>
    public static string DotnetRoot { get; } = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));

    public static string Dotnet { get; } = Path.Combine(DotnetRoot, "dotnet");

    public static Dictionary<string, string> ToolEnvironment => new() { ["DOTNET_ROOT"] = DotnetRoot };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var (packExit, packOutput) = await ChildProcess.RunAsync(
            Dotnet,
            ["pack", Path.Combine(RepositoryRoot, "MwgActors.sln"), "-c", Configuration, "--no-build", "--disable-build-servers", $"-p:PackageOutputPath={Packages}"],
            Bound);
        Assert.True(packExit == 0, $"dotnet pack failed:\n{packOutput}");

        var tool = Assert.Single(Directory.GetFiles(Packages, "mwg.*.nupkg"), f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        ToolVersion = Path.GetFileNameWithoutExtension(tool)["mwg.".Length..];

        var config = NuGetConfig;
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{Packages}" />
              </packageSources>
            </configuration>
            """);
        var (installExit, installOutput) = await ChildProcess.RunAsync(
            Dotnet,
            ["tool", "install", "mwg", "--tool-path", ToolPath, "--version", ToolVersion, "--configfile", config],
            Bound);
        Assert.True(installExit == 0, $"dotnet tool install failed:\n{installOutput}");
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MwgActors.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no MwgActors.sln above {AppContext.BaseDirectory}");
    }
}
