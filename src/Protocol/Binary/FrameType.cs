namespace MwgActors.Protocol.Binary;

/// <summary>
/// Type bytes of binary frames. 0-7 are G1 (mwdb-g1.md section 3) and keep their meaning; the extension
/// types are 0x10-0x19 (client to server, and ping/pong both ways) and 0x30-0x3D (server to client).
/// No type is 0x23 (<c>#</c>), so the last <c>#</c> of a frame always starts its header.
/// </summary>
public static class FrameType
{
    public const byte G1Get = 0x00;
    public const byte G1GetResult = 0x01;
    public const byte G1Put = 0x02;

    /// <summary>Put reply from the server; remove request from a client.</summary>
    public const byte G1PutResultOrRemove = 0x03;
    public const byte G1RemoveResult = 0x04;

    /// <summary>Force reload push: pairs, no id.</summary>
    public const byte G1Reload = 0x05;

    /// <summary>Prefix request: the whole frame is <c>06 ID</c>.</summary>
    public const byte G1Prefix = 0x06;
    public const byte G1PrefixResult = 0x07;

    public const byte Lock = 0x10;
    public const byte Unlock = 0x11;
    public const byte Subscribe = 0x12;
    public const byte Unsubscribe = 0x13;
    public const byte Ping = 0x14;
    public const byte Pong = 0x15;
    public const byte Get = 0x16;
    public const byte Put = 0x17;
    public const byte Remove = 0x18;
    public const byte Auth = 0x19;

    public const byte Hello = 0x30;
    public const byte GetResult = 0x31;
    public const byte PutResult = 0x32;
    public const byte RemoveResult = 0x33;
    public const byte LockResult = 0x34;
    public const byte UnlockResult = 0x35;
    public const byte Subscribed = 0x36;
    public const byte Unsubscribed = 0x37;
    public const byte Error = 0x38;
    public const byte Notify = 0x39;
    public const byte ReloadKeys = 0x3A;
    public const byte ReloadAll = 0x3B;
    public const byte TokenExpired = 0x3C;
    public const byte AuthResult = 0x3D;

    public const byte Separator = (byte)'#';
}
