namespace MwgActors.Actors.Api;

/// <summary>Why an in-process API call failed.</summary>
public enum MwgApiError
{
    /// <summary>The storage actor is recovering, restarting or stopping; try again.</summary>
    Unavailable,

    /// <summary>The journal did not take the write; nothing was applied.</summary>
    WriteFailed,

    /// <summary>The view could not be read.</summary>
    ReadFailed,

    /// <summary>No answer within the ask timeout (mwg.api.ask-timeout); a write may still commit.</summary>
    Timeout,

    /// <summary>A budget of the server is full (a subscribe past mwg.subscriptions.max-memory); try again later.</summary>
    Overloaded,

    /// <summary>The values asked for exceed the get's maxReplyBytes; reading stopped there.</summary>
    ReplyTooLarge,
}

/// <summary>The one exception the in-process API throws for a failed operation.</summary>
public sealed class MwgApiException : Exception
{
    public MwgApiException(MwgApiError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    public MwgApiError Error { get; }

    /// <summary>True when the same call may succeed later.</summary>
    public bool IsRetryable => Error is MwgApiError.Unavailable or MwgApiError.Timeout or MwgApiError.ReadFailed or MwgApiError.Overloaded;
}
