using CsCheck;

namespace MwgActors.Protocol.Tests;

/// <summary>CsCheck generators of every message, in the shapes each dialect can carry.</summary>
internal static class Generators
{
    private static readonly Gen<byte[]> AnyBytes = Gen.Byte.Array[0, 12];
    private static readonly Gen<byte[]> G1Bytes = Gen.Byte.Where(b => b != (byte)'#').Array[1, 12];
    private static readonly Gen<byte[]> Utf8Bytes = Gen.String[Gen.Char.AlphaNumeric, 0, 8].Select(s => System.Text.Encoding.UTF8.GetBytes(s + "é"));
    private static readonly Gen<long> Revision = Gen.Long[0, long.MaxValue - 1];
    private static readonly Gen<long?> OptionalRevision = Gen.Select(Gen.Bool, Revision, (some, r) => some ? r : (long?)null);
    private static readonly Gen<int> Prefix = Gen.Int[0, 65535];

    public static readonly Gen<RequestId> G1Id = Gen.Int[0, int.MaxValue].Select(n =>
    {
        Span<byte> text = stackalloc byte[6];
        return new RequestId(text[..MwgActors.Storage.Mwdb.MwdbBase64.EncodeInt(n, text)].ToArray());
    });

    private static readonly Gen<RequestId> JsonId = Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 10], Gen.Bool,
        (s, b64) => RequestId.FromString("r" + s, b64 ? ValueEncoding.Base64 : ValueEncoding.Utf8));

    private static Gen<KeyValue> Pair(Gen<byte[]> bytes) => Gen.Select(bytes, bytes, (k, v) => new KeyValue(k, v));

    /// <summary>Requests the extended binary dialect carries.</summary>
    public static Gen<ProtocolMessage> ExtendedRequests => Requests(G1Id, _ => AnyBytes);

    /// <summary>Replies and pushes the extended binary dialect carries.</summary>
    public static Gen<ProtocolMessage> ExtendedServerMessages => ServerMessages(G1Id, _ => AnyBytes, G1Bytes);

    public static Gen<ProtocolMessage> JsonRequests => Requests(JsonId, id => id.Encoding == ValueEncoding.Base64 ? AnyBytes : Utf8Bytes);

    public static Gen<ProtocolMessage> JsonServerMessages => ServerMessages(JsonId, id => id.Encoding == ValueEncoding.Base64 ? AnyBytes : Utf8Bytes, AnyBytes);

    /// <summary>What G1 can carry without loss: non-empty '#'-free keys.</summary>
    public static Gen<ProtocolMessage> G1Requests => Gen.OneOf<ProtocolMessage>(
        Gen.Select(G1Id, G1Bytes.Array[1, 6], (id, k) => (ProtocolMessage)new Get(id, k)),
        Gen.Select(G1Id, Gen.Select(G1Bytes, G1Bytes.Array[0, 1].Select(a => a.Length == 0 ? Array.Empty<byte>() : a[0]), (k, v) => new KeyValue(k, v)).Array[1, 6], (id, p) => (ProtocolMessage)new Put(id, p)),
        Gen.Select(G1Id, G1Bytes.Array[1, 6], (id, k) => (ProtocolMessage)new Remove(id, k)),
        G1Id.Select(id => (ProtocolMessage)new Lock(id)));

    public static Gen<ProtocolMessage> G1ServerMessages => Gen.OneOf<ProtocolMessage>(
        Gen.Select(G1Id, G1Bytes.Array[1, 6], (id, v) => (ProtocolMessage)new GetResult(id, v)),
        Gen.Select(G1Id, Gen.Bool, (id, ok) => (ProtocolMessage)new PutResult(id, ok)),
        Gen.Select(G1Id, Gen.Bool, (id, ok) => (ProtocolMessage)new RemoveResult(id, ok)),
        Gen.Select(G1Id, Gen.Int, (id, p) => (ProtocolMessage)new LockResult(id, p, null)),
        Pair(G1Bytes).Array[0, 6].Select(p => (ProtocolMessage)new ReloadPairs(p)));

    private static Gen<ProtocolMessage> Requests(Gen<RequestId> ids, Func<RequestId, Gen<byte[]>> bytesFor) =>
        ids.SelectMany(id =>
        {
            var bytes = bytesFor(id);
            return Gen.OneOf<ProtocolMessage>(
                bytes.Array[0, 6].Select(k => (ProtocolMessage)new Get(id, k)),
                Pair(bytes).Array[0, 6].Select(p => (ProtocolMessage)new Put(id, p)),
                bytes.Array[0, 6].Select(k => (ProtocolMessage)new Remove(id, k)),
                Gen.Const((ProtocolMessage)new Lock(id)),
                Gen.Select(Prefix, AnyBytes, (p, t) => (ProtocolMessage)new Lock(id, new LeaseClaim(p, t))),
                Gen.Select(Prefix, AnyBytes, (p, t) => (ProtocolMessage)new Unlock(id, p, t)),
                Gen.Select(bytes.Array[0, 4], OptionalRevision, Gen.Bool, (p, s, v) => (ProtocolMessage)new Subscribe(id, p, s, v)),
                Revision.Select(s => (ProtocolMessage)new Unsubscribe(id, s)),
                Gen.Const((ProtocolMessage)new Ping(id)),
                Gen.String[Gen.Char.AlphaNumeric, 0, 40].Select(t => (ProtocolMessage)new Auth(id, t + "é.")));
        });

    private static Gen<ProtocolMessage> ServerMessages(Gen<RequestId> ids, Func<RequestId, Gen<byte[]>> bytesFor, Gen<byte[]> reloadBytes)
    {
        var replies = ids.SelectMany(id =>
        {
            var bytes = bytesFor(id);
            return Gen.OneOf<ProtocolMessage>(
                bytes.Null().Array[0, 6].Select(v => (ProtocolMessage)new GetResult(id, v)),
                Gen.Select(Gen.Bool, OptionalRevision, (ok, r) => (ProtocolMessage)new PutResult(id, ok, r)),
                Gen.Select(Gen.Bool, OptionalRevision, (ok, r) => (ProtocolMessage)new RemoveResult(id, ok, r)),
                Gen.Select(Prefix, AnyBytes, (p, t) => (ProtocolMessage)new LockResult(id, p, t)),
                Gen.Const((ProtocolMessage)new UnlockResult(id)),
                Gen.Select(Revision, Revision, (s, r) => (ProtocolMessage)new Subscribed(id, s, r)),
                Gen.Const((ProtocolMessage)new Unsubscribed(id)),
                Gen.Const((ProtocolMessage)new Pong(id)),
                Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 20], OptionalRevision, (s, e) => (ProtocolMessage)new AuthResult(id, s, e)),
                Gen.Select(Gen.Enum<ErrorCode>(), Gen.String[Gen.Char.AlphaNumeric, 0, 20], (c, r) => (ProtocolMessage)new Error(id, c, r)),
                Gen.Select(Gen.Enum<ErrorCode>(), Gen.String[Gen.Char.AlphaNumeric, 0, 20], (c, r) => (ProtocolMessage)new Error(RequestId.None, c, r)));
        });
        var change = Gen.Select(AnyBytes, Gen.Int[0, 2], AnyBytes, (k, kind, v) => new Change(k, kind == 2, kind == 1 ? v : null));
        var pushes = Gen.OneOf<ProtocolMessage>(
            Gen.Select(Revision, Revision, change.Array[0, 6], (s, r, c) => (ProtocolMessage)new ChangeNotification(s, r, c)),
            Pair(reloadBytes).Array[0, 6].Select(p => (ProtocolMessage)new ReloadPairs(p)),
            Gen.Select(OptionalRevision, AnyBytes.Array[0, 4], AnyBytes.Array[0, 4], (s, k, p) => (ProtocolMessage)new ReloadKeys(s, k, p)),
            Revision.Select(s => (ProtocolMessage)new ReloadAll(s)),
            Gen.Const((ProtocolMessage)new TokenExpired()),
            Gen.Select(Gen.Int[0, 100], Gen.String[Gen.Char.AlphaNumeric, 0, 10], Gen.Int[1, 1 << 20].Array[7, 7],
                (v, s, l) => (ProtocolMessage)new Hello(v, s, new ProtocolLimits(l[0], l[1], l[2], l[3], l[4], l[5], l[6]))));
        return Gen.OneOf(replies, replies, replies, pushes);
    }
}
