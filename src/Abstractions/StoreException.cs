namespace MwgActors.Storage;

/// <summary>Why a store could not be opened or used. Callers map it to one clear line or an error code.</summary>
public enum StoreErrorKind
{
    /// <summary>The data folder is locked by another running process.</summary>
    AlreadyInUse,

    /// <summary>The process may not read or write the data folder.</summary>
    PermissionDenied,

    /// <summary>The files are damaged, or were written by an incompatible version or with other options.</summary>
    Corrupt,

    /// <summary>Any other I/O failure reported by the engine.</summary>
    IoError,
}

/// <summary>
/// The one exception the stores throw for engine failures (besides argument and disposal errors).
/// Its message is written for an operator: one line, naming the path, no native detail beyond the engine's own text.
/// </summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    public StoreErrorKind Kind { get; }
}
