using System.Reflection;

namespace MwgActors.Samples.Tests;

/// <summary>
/// A sample run as a real process (<c>dotnet SAMPLE.dll ...</c>, the dll the test project builds alongside), in
/// the sample's output folder so it finds its appsettings.json. Disposing stops a child still running (SIGTERM, as a
/// service manager would, then a kill).
/// </summary>
internal static class SampleProcess
{
    public static MwgProcess Start(string sample, params string[] arguments)
    {
        var dll = typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == sample).Value
            ?? throw new InvalidOperationException($"the test assembly does not name the {sample} dll");
        var options = new MwgProcessOptions
        {
            Dll = dll,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            Bound = TimeSpan.FromSeconds(30),
            StopGracefully = true,
        };
        return MwgProcess.Start(options, arguments);
    }
}
