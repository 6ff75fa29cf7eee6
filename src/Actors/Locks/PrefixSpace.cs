namespace MwgActors.Actors.Locks;

/// <summary>
/// Which prefixes of <c>[0, Size)</c> are free, answering "lowest free" in O(log n) without a scan: every
/// prefix at or above a high-water mark is free, and the free ones below it sit in a sorted set. Releasing the
/// top leased prefix lowers the mark, so the set holds only the holes.
/// </summary>
internal sealed class PrefixSpace
{
    private readonly SortedSet<int> _holes = [];
    private int _highWater;

    public PrefixSpace(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
    }

    public int Size { get; }

    public int LeasedCount => _highWater - _holes.Count;

    public bool Contains(int prefix) => prefix >= 0 && prefix < Size;

    public bool IsFree(int prefix) => prefix >= _highWater || _holes.Contains(prefix);

    public bool TryGetLowestFree(out int prefix)
    {
        if (_holes.Count > 0)
        {
            prefix = _holes.Min;
            return true;
        }

        prefix = _highWater;
        return _highWater < Size;
    }

    /// <summary>Marks <paramref name="prefix"/> leased (a no-op when it already is).</summary>
    public void Take(int prefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefix);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefix, Size);
        if (prefix < _highWater)
        {
            _holes.Remove(prefix);
            return;
        }

        // Only recovery can take above the mark with a gap; live leasing always takes the lowest.
        for (var hole = _highWater; hole < prefix; hole++)
        {
            _holes.Add(hole);
        }

        _highWater = prefix + 1;
    }

    /// <summary>Marks <paramref name="prefix"/> free (a no-op when it already is).</summary>
    public void Free(int prefix)
    {
        if (prefix < 0 || prefix >= _highWater)
        {
            return;
        }

        if (prefix != _highWater - 1)
        {
            _holes.Add(prefix);
            return;
        }

        _highWater--;
        while (_highWater > 0 && _holes.Remove(_highWater - 1))
        {
            _highWater--;
        }
    }

    public void Clear()
    {
        _holes.Clear();
        _highWater = 0;
    }
}
