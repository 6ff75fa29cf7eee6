using System.Runtime.InteropServices;

namespace MwgActors.Tool.Cli;

/// <summary>
/// Ctrl-C (SIGINT), SIGTERM or the caller's token, as one token: how <c>watch</c> and <c>lock --hold</c> learn
/// to stop. The signals are handled (not left to kill the process), so the command can end cleanly.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    public StopSignal(CancellationToken stop)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _source.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _source.Cancel();
    }
}
