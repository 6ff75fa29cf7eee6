using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace MwgActors.LoadGen;

/// <summary>
/// Makes a .NET process on this machine run a full, blocking garbage collection, through its diagnostics socket:
/// an EventPipe session that enables the runtime provider's GCHeapCollect keyword induces one, as dotnet-gcdump
/// does (without its heap walk). Memory read after it is what the process holds, not garbage a busy moment left
/// behind; with the server GC the heap can otherwise stay hundreds of MiB above that for a long time.
/// </summary>
internal static class ServerGc
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    // The collection runs while the session is open; a full one of a few hundred MiB takes well under this.
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(2);

    /// <summary>True when the session was opened (and so the collection asked for); false when the process has no
    /// diagnostics socket we may use (not .NET, another user, DOTNET_EnableDiagnostics=0).</summary>
    public static async Task<bool> CollectAsync(int pid, CancellationToken cancellation)
    {
        try
        {
            var client = new DiagnosticsClient(pid);
            var providers = new[] { new EventPipeProvider(RuntimeProvider, EventLevel.Informational, GcKeyword | GcHeapCollectKeyword) };
            using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, cancellation);

            // The events are not needed, but they must be read or the runtime's buffer fills.
            var drain = session.EventStream.CopyToAsync(Stream.Null, cancellation);
            await Task.Delay(Hold, cancellation);
            await session.StopAsync(cancellation);
            await drain;
            return true;
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or ServerErrorException or UnsupportedCommandException or IOException or TimeoutException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
