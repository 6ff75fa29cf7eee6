namespace MwgActors.Hardening.Tests;

/// <summary>
/// Counts the server's output lines (logs, a crash report) that name an OutOfMemoryException: an actor may survive
/// one, but a budget should have refused the attack before it was paid for. Fed by <see cref="MwgProcessOptions.OnLine"/>.
/// </summary>
internal sealed class OutOfMemoryWatch
{
    private int _count;
    private string? _first;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The first such line, cut to a readable length.</summary>
    public string? First => _first is { } line && line.Length > 1200 ? line[..1200] + "..." : _first;

    public void Observe(string line)
    {
        if (line.Contains("OutOfMemoryException", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _count);
            Interlocked.CompareExchange(ref _first, line, null);
        }
    }
}
