using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MwgActors.Packaging.Tests;

/// <summary>
/// <c>dotnet pack</c> makes exactly the packages the issue names, each with its metadata, and the <c>mwg</c> tool
/// installs from the packed folder and serves.
/// </summary>
public sealed partial class PackagingTests(PackedSolution packed) : IClassFixture<PackedSolution>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly string[] Libraries = ["MwgActors.Abstractions", "MwgActors.Storage", "MwgActors.Protocol", "MwgActors.Actors", "MwgActors.Gateway", "MwgActors.Client"];

    /// <summary>The libraries, and the TestKit once src/TestKit exists.</summary>
    private string[] ExpectedLibraries =>
        Directory.Exists(Path.Combine(packed.RepositoryRoot, "src", "TestKit")) ? [.. Libraries, "MwgActors.TestKit"] : Libraries;

    [Fact]
    public void Pack_should_make_the_libraries_and_the_tool_and_nothing_else()
    {
        var ids = Directory.GetFiles(packed.Packages, "*.nupkg").Select(f => Nuspec(f).Id).Order(StringComparer.Ordinal);

        Assert.Equal(ExpectedLibraries.Append("mwg").Order(StringComparer.Ordinal), ids);
    }

    [Fact]
    public void Each_package_should_carry_a_description_the_license_a_readme_source_link_and_symbols()
    {
        foreach (var id in ExpectedLibraries.Append("mwg"))
        {
            var file = Path.Combine(packed.Packages, $"{id}.{packed.ToolVersion}.nupkg");
            var nuspec = Nuspec(file);

            Assert.Equal(id, nuspec.Id);
            Assert.False(string.IsNullOrWhiteSpace(nuspec.Description), $"{id}: no description");
            Assert.Equal(("expression", "Apache-2.0"), nuspec.License);
            Assert.Equal("README.md", nuspec.Readme);
            Assert.True(nuspec.Entry("README.md") > 100, $"{id}: README.md missing or empty");
            Assert.True(nuspec.Entry("LICENSE") > 1000, $"{id}: LICENSE missing");
            Assert.Equal("git", nuspec.RepositoryType);
            Assert.StartsWith("https://", nuspec.RepositoryUrl, StringComparison.Ordinal);
            if (Directory.Exists(Path.Combine(packed.RepositoryRoot, ".git")) || File.Exists(Path.Combine(packed.RepositoryRoot, ".git")))
            {
                // Source link: the commit the package was built from (read from git by the SDK).
                Assert.Matches(Commit(), nuspec.RepositoryCommit ?? string.Empty);
            }

            Assert.True(File.Exists(Path.ChangeExtension(file, ".snupkg")), $"{id}: no symbol package");
            if (id != "mwg")
            {
                Assert.True(nuspec.Entry($"lib/net10.0/{id}.dll") > 0, $"{id}: no lib/net10.0/{id}.dll");
            }
        }
    }

    [Fact]
    public void The_tool_package_should_be_a_dotnet_tool_named_mwg()
    {
        var nuspec = Nuspec(Path.Combine(packed.Packages, $"mwg.{packed.ToolVersion}.nupkg"));

        Assert.Equal("DotnetTool", nuspec.PackageType);
        var settings = XDocument.Parse(nuspec.Text("tools/net10.0/any/DotnetToolSettings.xml"));
        var command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal("mwg", command.Attribute("Name")?.Value);
        Assert.Equal("mwg.dll", command.Attribute("EntryPoint")?.Value);
    }

    [Fact]
    public async Task The_installed_tool_should_print_its_usage()
    {
        var (exit, output) = await ChildProcess.RunAsync(packed.Tool, ["--help"], Bound, PackedSolution.ToolEnvironment);

        Assert.Equal(0, exit);
        Assert.StartsWith("usage: mwg <command> [options]", output.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_installed_tool_should_serve_health_and_metrics_and_stop_on_ctrl_c()
    {
        var data = Path.Combine(packed.Root, "data");
        await using var serve = ChildProcess.Start(packed.Tool, ["serve", "--port", "0", "--data", data, "--log-format", "json"], environment: PackedSolution.ToolEnvironment);

        var listening = Listening().Match(await serve.ReadUntilAsync(l => l.StartsWith("mwg listening on ", StringComparison.Ordinal), Bound));
        var recovered = await serve.FindLineAsync(l => l.Contains("Storage recovered", StringComparison.Ordinal), Bound);
        var http = new Uri($"http://127.0.0.1:{listening.Groups[1].Value}/");
        using (var client = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(10) })
        {
            Assert.Equal("ok\n", await client.GetStringAsync("/healthz"));
            Assert.Contains("mwg_journal_revision 0\n", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        }

        await serve.InterruptAsync();

        Assert.Equal(0, await serve.WaitForExitAsync(Bound));
        Assert.Contains("mwg stopped", serve.Transcript, StringComparison.Ordinal);

        // --log-format json: one object per line, with the message template's values as properties.
        using var log = JsonDocument.Parse(recovered);
        Assert.Equal("MwgActors.Actors.Storage.StorageActor", log.RootElement.GetProperty("Category").GetString());
        Assert.Equal("Information", log.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal(0, log.RootElement.GetProperty("State").GetProperty("Revision").GetInt64());
    }

    private static NuspecReading Nuspec(string nupkg) => new(nupkg);

    [GeneratedRegex("^mwg listening on ws://127\\.0\\.0\\.1:(\\d+)/")]
    private static partial Regex Listening();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex Commit();

    /// <summary>The metadata of a .nupkg, read from the .nuspec inside it, and the sizes of its entries.</summary>
    private sealed class NuspecReading
    {
        private readonly string _file;
        private readonly XElement _metadata;

        public NuspecReading(string file)
        {
            _file = file;
            using var zip = ZipFile.OpenRead(file);
            var entry = Assert.Single(zip.Entries, e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.Name.EndsWith(".nuspec", StringComparison.Ordinal));
            using var stream = entry.Open();
            _metadata = XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }

        public string Id => Value("id") ?? string.Empty;

        public string? Description => Value("description");

        public (string?, string?) License => (Element("license")?.Attribute("type")?.Value, Value("license"));

        public string? Readme => Value("readme");

        public string? RepositoryType => Element("repository")?.Attribute("type")?.Value;

        public string? RepositoryUrl => Element("repository")?.Attribute("url")?.Value;

        public string? RepositoryCommit => Element("repository")?.Attribute("commit")?.Value;

        public string? PackageType => Element("packageTypes")?.Elements().FirstOrDefault()?.Attribute("name")?.Value;

        /// <summary>The whole metadata element (dependencies, framework references).</summary>
        public XElement Metadata => _metadata;

        /// <summary>The uncompressed size of the entry at <paramref name="path"/>; -1 when there is none.</summary>
        public long Entry(string path)
        {
            using var zip = ZipFile.OpenRead(_file);
            return zip.GetEntry(path)?.Length ?? -1;
        }

        public string Text(string path)
        {
            using var zip = ZipFile.OpenRead(_file);
            using var reader = new StreamReader((zip.GetEntry(path) ?? throw new InvalidOperationException($"no {path} in {_file}")).Open());
            return reader.ReadToEnd();
        }

        private XElement? Element(string name) => _metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name);

        private string? Value(string name) => Element(name)?.Value;
    }
}
