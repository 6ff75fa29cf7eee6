namespace MwgActors.TestSupport;

/// <summary>How <see cref="MwgProcess"/> starts and keeps a child: which dll, its environment, and how much output is kept.</summary>
public sealed record MwgProcessOptions
{
    /// <summary>The dll run with <c>dotnet</c>: the tool's mwg.dll by default, or a sample's.</summary>
    public string Dll { get; init; } = MwgProcess.MwgDll;

    /// <summary>Variables set for the child only (e.g. <c>DOTNET_GCHeapHardLimit</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The child's working directory; null keeps the test's.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>How long any one read, wait or stop may take before it fails.</summary>
    public TimeSpan Bound { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Lines kept per stream, oldest dropped first; null keeps all. A server under a logging storm must not grow the
    /// test: its last lines say why it died.
    /// </summary>
    public int? KeepLines { get; init; }

    /// <summary>Called with every stdout and stderr line as it arrives (on a reader thread).</summary>
    public Action<string>? OnLine { get; init; }

    /// <summary>Dispose sends SIGTERM first (a service manager's stop) and kills only when that takes too long.</summary>
    public bool StopGracefully { get; init; }
}
