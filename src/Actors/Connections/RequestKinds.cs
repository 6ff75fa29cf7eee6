using MwgActors.Protocol;

namespace MwgActors.Actors.Connections;

/// <summary>The <see cref="RequestKind"/> of a decoded request: its metrics tag and which fallback applies to it.</summary>
internal static class RequestKinds
{
    public static RequestKind Of(Request request) => request switch
    {
        Get => RequestKind.Get,
        Put => RequestKind.Put,
        Remove => RequestKind.Remove,
        Protocol.Lock => RequestKind.Lock,
        Unlock => RequestKind.Unlock,
        Subscribe => RequestKind.Subscribe,
        Unsubscribe => RequestKind.Unsubscribe,
        Ping => RequestKind.Ping,
        Protocol.Auth => RequestKind.Auth,
        _ => RequestKind.Unknown,
    };
}
