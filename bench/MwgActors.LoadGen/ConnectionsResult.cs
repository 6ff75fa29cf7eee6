using System.Globalization;
using System.Text;

namespace MwgActors.LoadGen;

/// <summary>One memory figure (bytes) before and after the connections were opened, and its share per connection.</summary>
internal sealed record MemoryDelta(string Name, long Before, long After, double PerConnection)
{
    public long Delta => After - Before;

    public double PerConnectionKiB => PerConnection / 1024;
}

/// <summary>
/// What the <c>connections</c> scenario measured: how many idle connections opened and how fast, how many were still
/// answering once the server's memory had settled, and the server's resident memory per connection.
/// </summary>
internal sealed record ConnectionsResult(
    int Requested,
    int Opened,
    int Failed,
    string? FirstFailure,
    double OpenSeconds,
    int StillOpen,
    int? ServerPid,
    long? ServerOpenFilesLimit,
    double? SettleSeconds,
    bool Settled,
    bool GcInduced,
    IReadOnlyList<MemoryDelta> Memory)
{
    public double OpensPerSecond => OpenSeconds > 0 ? Opened / OpenSeconds : 0;

    /// <summary>The headline: resident memory (VmRSS) per open connection in bytes; null when the server's /proc was not readable.</summary>
    public double? RssPerConnection => Memory.FirstOrDefault(m => m.Name == "rss")?.PerConnection;

    public void AppendTo(StringBuilder text)
    {
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"connections: {Opened} of {Requested} opened ({Failed} failed{(FirstFailure is null ? string.Empty : ", first: " + FirstFailure)}) in {OpenSeconds:F1} s ({OpensPerSecond:F0}/s); {StillOpen} answered a ping after settling");
        if (ServerPid is null)
        {
            text.AppendLine("server memory: not measured (server not found on this machine; give --server-pid)");
            return;
        }

        text.AppendLine(c, $"server pid {ServerPid}, open files limit {(ServerOpenFilesLimit?.ToString(c) ?? "unknown")}; {(GcInduced ? "full GC induced before each reading, " : string.Empty)}memory {(Settled ? "settled" : "NOT settled")} after {SettleSeconds:F1} s");
        text.AppendLine(c, $"{"memory",-17}{"before MiB",12}{"after MiB",12}{"delta MiB",12}{"per conn B",12}{"per conn KiB",14}");
        foreach (var m in Memory)
        {
            text.AppendLine(c, $"{m.Name,-17}{MiB(m.Before),12:F1}{MiB(m.After),12:F1}{MiB(m.Delta),12:F1}{m.PerConnection,12:F0}{m.PerConnectionKiB,14:F2}");
        }
    }

    private static double MiB(long bytes) => bytes / 1024.0 / 1024.0;
}
