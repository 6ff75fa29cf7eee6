using System.Buffers;

namespace MwgActors.Storage.Mwdb;

/// <summary>
/// Split and join of mwDB's <c>#</c>-separated batches with exactly the rules of mwDB's buffer iterator
/// (shared/protocol/mwdb-g1.md section 1): split on <c>#</c>; a trailing <c>#</c> adds no extra element
/// (<c>a#b#</c> is <c>a</c>, <c>b</c>); <c>##</c> inside gives an empty element; the empty input has no
/// element (so a lone <c>#</c> is one empty element).
/// </summary>
/// <remarks>
/// Join is the inverse of split except where the rules lose information: a batch whose last element is
/// empty joins to text ending in <c>#</c>, which splits one element shorter. A reader that knows how many
/// elements to expect (a get reply has one value per key) pads with empty elements.
/// </remarks>
public static class MwdbBatch
{
    public const byte Separator = (byte)'#';

    /// <summary>Enumerates the elements of <paramref name="data"/> as slices, without allocating.</summary>
    public static SegmentEnumerator Enumerate(ReadOnlySpan<byte> data) => new(data);

    /// <summary>How many elements <paramref name="data"/> splits into.</summary>
    public static int Count(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        var separators = data.Count(Separator);
        return data[^1] == Separator ? separators : separators + 1;
    }

    /// <summary>Splits <paramref name="data"/> into owned copies of its elements.</summary>
    public static byte[][] Split(ReadOnlySpan<byte> data)
    {
        var result = new byte[Count(data)][];
        var i = 0;
        foreach (var segment in Enumerate(data))
        {
            result[i++] = segment.ToArray();
        }

        return result;
    }

    /// <summary>Joins <paramref name="elements"/> with <c>#</c>, without a trailing separator.</summary>
    /// <exception cref="ArgumentException">An element contains <c>#</c>, which the format cannot carry.</exception>
    public static byte[] Join(IReadOnlyList<byte[]> elements)
    {
        var writer = new ArrayBufferWriter<byte>(JoinedLength(elements));
        Join(elements, writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes <paramref name="elements"/> joined with <c>#</c> to <paramref name="writer"/>.</summary>
    public static void Join(IReadOnlyList<byte[]> elements, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(writer);
        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            if (element.AsSpan().Contains(Separator))
            {
                throw new ArgumentException($"element {i} contains '#', which an mwDB batch cannot carry", nameof(elements));
            }

            if (i > 0)
            {
                writer.GetSpan(1)[0] = Separator;
                writer.Advance(1);
            }

            writer.Write(element);
        }
    }

    /// <summary>Bytes <see cref="Join(IReadOnlyList{byte[]})"/> produces for <paramref name="elements"/>.</summary>
    public static int JoinedLength(IReadOnlyList<byte[]> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        var length = Math.Max(0, elements.Count - 1);
        for (var i = 0; i < elements.Count; i++)
        {
            length += elements[i].Length;
        }

        return length;
    }

    /// <summary>Allocation-free enumerator over the elements of a batch.</summary>
    public ref struct SegmentEnumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _next;

        internal SegmentEnumerator(ReadOnlySpan<byte> data)
        {
            _data = data;
            _next = 0;
            Current = default;
            CurrentStart = 0;
        }

        public ReadOnlySpan<byte> Current { get; private set; }

        /// <summary>Offset of <see cref="Current"/> in the enumerated data.</summary>
        public int CurrentStart { get; private set; }

        public readonly SegmentEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            // mwDB's iterator: there is a next element while at least one byte remains.
            if (_next >= _data.Length)
            {
                return false;
            }

            var rest = _data[_next..];
            var separator = rest.IndexOf(Separator);
            var length = separator < 0 ? rest.Length : separator;
            Current = rest[..length];
            CurrentStart = _next;
            _next += length + 1;
            return true;
        }
    }
}
