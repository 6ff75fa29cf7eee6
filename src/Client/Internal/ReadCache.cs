using MwgActors.Storage;

namespace MwgActors.Client.Internal;

/// <summary>
/// Least-recently-used cache of key -> value (null = known missing). Every invalidation bumps
/// <see cref="Generation"/>; a read reply fills the cache only if no invalidation happened since its request was
/// sent, so a reply can never put back a value older than a notification already handled. Thread-safe.
/// </summary>
internal sealed class ReadCache(int maxEntries)
{
    private readonly Dictionary<byte[], LinkedListNode<(byte[] Key, byte[]? Value)>> _entries = new(ByteArrayComparer.Instance);
    private readonly LinkedList<(byte[] Key, byte[]? Value)> _lru = new();
    private readonly System.Threading.Lock _lock = new();
    private long _generation;

    public long Generation
    {
        get
        {
            lock (_lock)
            {
                return _generation;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Every value, or null when any key is not cached.</summary>
    public byte[]?[]? TryGetAll(IReadOnlyList<byte[]> keys)
    {
        lock (_lock)
        {
            var values = new byte[]?[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                if (!_entries.TryGetValue(keys[i], out var node))
                {
                    return null;
                }

                values[i] = node.Value.Value;
            }

            for (var i = 0; i < keys.Count; i++)
            {
                var node = _entries[keys[i]];
                _lru.Remove(node);
                _lru.AddFirst(node);
            }

            return values;
        }
    }

    /// <summary>Stores read values, unless something was invalidated since <paramref name="generation"/>.</summary>
    public void Fill(long generation, IReadOnlyList<byte[]> keys, IReadOnlyList<byte[]?> values)
    {
        lock (_lock)
        {
            if (generation != _generation)
            {
                return;
            }

            for (var i = 0; i < keys.Count && i < values.Count; i++)
            {
                if (_entries.Remove(keys[i], out var old))
                {
                    _lru.Remove(old);
                }

                _entries[keys[i]] = _lru.AddFirst((keys[i], values[i]));
                if (_entries.Count > maxEntries)
                {
                    var last = _lru.Last!;
                    _lru.RemoveLast();
                    _entries.Remove(last.Value.Key);
                }
            }
        }
    }

    public void Invalidate(IEnumerable<byte[]> keys)
    {
        lock (_lock)
        {
            _generation++;
            foreach (var key in keys)
            {
                if (_entries.Remove(key, out var node))
                {
                    _lru.Remove(node);
                }
            }
        }
    }

    public void InvalidatePrefixes(IReadOnlyList<byte[]> prefixes)
    {
        lock (_lock)
        {
            _generation++;
            foreach (var node in _entries.Values.Where(n => prefixes.Any(p => n.Value.Key.AsSpan().StartsWith(p))).ToArray())
            {
                _entries.Remove(node.Value.Key);
                _lru.Remove(node);
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _generation++;
            _entries.Clear();
            _lru.Clear();
        }
    }
}
