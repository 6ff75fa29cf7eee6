namespace MwgActors.Gateway.Cli;

/// <summary>
/// A client command that cannot finish: the exit code and the one line printed as <c>mwg COMMAND: REASON</c>.
/// Thrown from the commands and turned into output in one place (<see cref="ClientCommand"/>).
/// </summary>
internal sealed class CommandFailure : Exception
{
    public CommandFailure(int exitCode, string reason)
        : base(reason) => ExitCode = exitCode;

    public CommandFailure()
    {
    }

    public CommandFailure(string message)
        : base(message)
    {
    }

    public CommandFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = CommandLine.Failed;
}
