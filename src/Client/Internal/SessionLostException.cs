namespace MwgActors.Client.Internal;

/// <summary>The connection ended before a request's reply. <see cref="Sent"/>: the frame may have reached the server.</summary>
internal sealed class SessionLostException : Exception
{
    public SessionLostException(bool sent)
        : base("the connection was lost") => Sent = sent;

    public SessionLostException()
        : this(sent: true)
    {
    }

    public SessionLostException(string message)
        : base(message) => Sent = true;

    public SessionLostException(string message, Exception innerException)
        : base(message, innerException) => Sent = true;

    public bool Sent { get; }
}
