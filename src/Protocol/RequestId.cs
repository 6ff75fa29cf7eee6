namespace MwgActors.Protocol;

/// <summary>How a JSON reply writes values: the encoding the request asked for.</summary>
public enum ValueEncoding : byte
{
    Utf8 = 0,
    Base64 = 1,
}

/// <summary>
/// The id of a request, echoed by its reply. For the binary dialects it is the raw id bytes of the frame
/// (a G1 id is copied verbatim, never re-encoded); for JSON the UTF-8 bytes of <c>requestId</c>, with the
/// value encoding the request asked for, so the reply is written the way the client expects.
/// A reply must carry the request's <see cref="RequestId"/> unchanged. <see cref="None"/> marks pushes and
/// errors about frames whose id could not be read.
/// </summary>
public readonly struct RequestId : IEquatable<RequestId>
{
    private readonly byte[]? _bytes;

    public RequestId(byte[] bytes, ValueEncoding encoding = ValueEncoding.Utf8)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
        Encoding = encoding;
    }

    public static RequestId None => default;

    public bool IsNone => _bytes is null;

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>JSON only: how the reply writes values.</summary>
    public ValueEncoding Encoding { get; }

    public static RequestId FromString(string id, ValueEncoding encoding = ValueEncoding.Utf8) =>
        new(System.Text.Encoding.UTF8.GetBytes(id), encoding);

    public static bool operator ==(RequestId left, RequestId right) => left.Equals(right);

    public static bool operator !=(RequestId left, RequestId right) => !left.Equals(right);

    public bool Equals(RequestId other) =>
        IsNone == other.IsNone && Encoding == other.Encoding && Bytes.SequenceEqual(other.Bytes);

    public override bool Equals(object? obj) => obj is RequestId other && Equals(other);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes);
        hash.Add(Encoding);
        return hash.ToHashCode();
    }

    /// <summary>The id as text (it is ASCII for G1, UTF-8 for JSON); empty for <see cref="None"/>.</summary>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Bytes);
}
