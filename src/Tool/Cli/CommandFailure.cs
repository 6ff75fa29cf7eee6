namespace MwgActors.Tool.Cli;

/// <summary>
/// A client command that cannot finish: the exit code and the one line printed as <c>mwg COMMAND: REASON</c>.
/// Thrown from the commands and turned into output in one place (<see cref="ClientCommand"/>).
/// </summary>
internal sealed class CommandFailure : Exception
{
    /// <summary>What starts the line of a request whose outcome is unknown, for people and scripts alike.</summary>
    public const string OutcomeUnknownText = "outcome unknown";

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

    /// <summary>The request was sent and its answer never came: the server may or may not have applied it.</summary>
    public bool OutcomeUnknown => ExitCode == CommandLine.OutcomeUnknown;

    /// <summary>A request that was sent but not answered: exit 6, and a line that says the outcome is unknown.</summary>
    public static CommandFailure Unknown(string what) =>
        new(CommandLine.OutcomeUnknown, $"{OutcomeUnknownText}: {what}; it may or may not have been applied");
}
