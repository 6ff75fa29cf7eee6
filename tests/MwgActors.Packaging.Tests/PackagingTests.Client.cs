using System.Xml.Linq;

namespace MwgActors.Packaging.Tests;

/// <summary>
/// The client package is light enough for a device: its dependency closure is our BCL-only packages (no Akka, no
/// RocksDB, no ASP.NET), and an app that uses it publishes in a few megabytes (it was 116 MB, 112 MB of them
/// RocksDB's native libraries, while the codec depended on the storage package).
/// </summary>
public sealed partial class PackagingTests
{
    private const long ClientPublishBudgetBytes = 5_000_000;

    [Fact]
    public void The_client_package_should_depend_only_on_the_protocol_and_the_abstractions()
    {
        var closure = PackageClosure("MwgActors.Client");

        Assert.Equal(["MwgActors.Abstractions", "MwgActors.Client", "MwgActors.Protocol"], closure.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, nuspec) in closure)
        {
            Assert.Empty(nuspec.Elements().Where(e => e.Name.LocalName == "frameworkReferences").Descendants());
            Assert.All(Dependencies(nuspec), dependency => Assert.True(closure.ContainsKey(dependency), $"{id} depends on {dependency}"));
        }
    }

    [Fact]
    public async Task A_hello_world_client_should_publish_without_akka_or_rocksdb_and_under_5_MB()
    {
        var project = Path.Combine(packed.Root, "hello-client");
        Directory.CreateDirectory(project);
        await File.WriteAllTextAsync(Path.Combine(project, "Hello.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MwgActors.Client" Version="{packed.ToolVersion}" />
              </ItemGroup>
            </Project>
            """);
        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), """
            using MwgActors.Client;

            await using var client = await MwgClient.ConnectAsync(new MwgClientOptions { Url = new Uri("ws://127.0.0.1:7513/") });
            var value = await client.GetAsync("hello"u8.ToArray());
            Console.WriteLine(value is null ? "no hello" : System.Text.Encoding.UTF8.GetString(value));
            """);
        var output = Path.Combine(packed.Root, "hello-client-published");
        // Its own package folder: the packed MwgActors.* must not land in (or be read from) the machine's cache.
        var environment = new Dictionary<string, string>(PackedSolution.ToolEnvironment) { ["NUGET_PACKAGES"] = Path.Combine(packed.Root, "hello-client-packages") };

        var (restoreExit, restoreOutput) = await ChildProcess.RunAsync(
            PackedSolution.Dotnet, ["restore", project, "--configfile", packed.NuGetConfig, "--disable-build-servers"], PackedSolution.Bound, environment);
        Assert.True(restoreExit == 0, $"dotnet restore failed (only the packed packages are available):\n{restoreOutput}");
        var (publishExit, publishOutput) = await ChildProcess.RunAsync(
            PackedSolution.Dotnet, ["publish", project, "-c", "Release", "--no-restore", "--disable-build-servers", "-o", output], PackedSolution.Bound, environment);
        Assert.True(publishExit == 0, $"dotnet publish failed:\n{publishOutput}");

        var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => Path.GetFileName(f) == "MwgActors.Client.dll");
        Assert.DoesNotContain(files, f => Path.GetFileName(f).StartsWith("Akka", StringComparison.OrdinalIgnoreCase)
            || Path.GetFileName(f).Contains("rocksdb", StringComparison.OrdinalIgnoreCase));
        var bytes = files.Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < ClientPublishBudgetBytes, $"a hello-world client publishes {bytes} bytes, over {ClientPublishBudgetBytes}:\n{string.Join('\n', files)}");
    }

    /// <summary>The packed packages reachable from <paramref name="id"/> through their dependencies, with their metadata.</summary>
    private Dictionary<string, XElement> PackageClosure(string id)
    {
        var closure = new Dictionary<string, XElement>(StringComparer.Ordinal);
        var pending = new Stack<string>([id]);
        while (pending.TryPop(out var next))
        {
            var file = Path.Combine(packed.Packages, $"{next}.{packed.ToolVersion}.nupkg");
            if (closure.ContainsKey(next) || !File.Exists(file))
            {
                // Not ours: the assertion on the closure names it.
                closure.TryAdd(next, new XElement("metadata"));
                continue;
            }

            var metadata = Nuspec(file).Metadata;
            closure[next] = metadata;
            foreach (var dependency in Dependencies(metadata))
            {
                pending.Push(dependency);
            }
        }

        return closure;
    }

    private static IEnumerable<string> Dependencies(XElement metadata) =>
        metadata.Elements().Where(e => e.Name.LocalName == "dependencies").Descendants()
            .Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).Distinct();
}
