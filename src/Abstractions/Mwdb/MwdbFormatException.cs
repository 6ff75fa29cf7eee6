namespace MwgActors.Storage.Mwdb;

/// <summary>Text that is not valid mwDB Base64 for the asked type: a character outside the alphabet,
/// an empty input, or a value outside the type's supported range.</summary>
public sealed class MwdbFormatException : FormatException
{
    public MwdbFormatException(string message, int position)
        : base(message) => Position = position;

    /// <summary>Index of the offending character, or -1 when the whole input is at fault.</summary>
    public int Position { get; }
}
