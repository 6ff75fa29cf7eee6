namespace MwgActors.TestSupport;

/// <summary>One fresh folder under the system temp directory, created at once and removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <param name="prefix">Starts the folder's name, so a leftover one tells which suite made it.</param>
    public TempFolder(string prefix = "mwg-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a file still held open: a leftover temp folder must not fail the test that used it.
        }
    }
}
