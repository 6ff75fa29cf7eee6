namespace MwgActors.Protocol.Json;

/// <summary>The <c>action</c> each message carries in the JSON dialect.</summary>
internal static class JsonActions
{
    public static string Of(ProtocolMessage message) => message switch
    {
        Get or GetResult => "get",
        Put or PutResult => "put",
        Remove or RemoveResult => "remove",
        Lock or LockResult => "lock",
        Unlock or UnlockResult => "unlock",
        Subscribe or Subscribed => "subscribe",
        Unsubscribe or Unsubscribed => "unsubscribe",
        Ping or Pong => "ping",
        ChangeNotification => "notify",
        ReloadPairs => "reload",
        ReloadKeys => "reloadKeys",
        ReloadAll => "reloadAll",
        Hello => "hello",
        Auth or AuthResult => "auth",
        TokenExpired => "tokenExpired",
        _ => throw new ArgumentException($"no action for {message.GetType().Name}", nameof(message)),
    };
}
