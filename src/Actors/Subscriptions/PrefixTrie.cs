namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// Byte-wise prefix trie mapping prefixes to values, so that finding the prefixes of a key costs
/// O(key length + matches) however many prefixes are stored. Not thread-safe: owned by one actor.
/// </summary>
/// <remarks>
/// A value may be stored under several prefixes, and several values under one prefix. Children are kept in
/// small sorted arrays (binary search by byte): most nodes have one or two children, and a dictionary per node
/// would cost far more memory than the lookup it saves.
/// </remarks>
internal sealed class PrefixTrie<T>
{
    private readonly Node _root = new();

    /// <summary>Number of (prefix, value) entries.</summary>
    public int Count { get; private set; }

    public void Add(ReadOnlySpan<byte> prefix, T value)
    {
        var node = _root;
        foreach (var b in prefix)
        {
            node = node.GetOrAddChild(b);
        }

        (node.Values ??= []).Add(value);
        Count++;
    }

    /// <summary>Removes one entry (prefix, value); prunes the nodes it leaves empty. False if absent.</summary>
    public bool Remove(ReadOnlySpan<byte> prefix, T value)
    {
        var path = new Node[prefix.Length + 1];
        path[0] = _root;
        for (var i = 0; i < prefix.Length; i++)
        {
            var child = path[i].FindChild(prefix[i]);
            if (child is null)
            {
                return false;
            }

            path[i + 1] = child;
        }

        var node = path[prefix.Length];
        if (node.Values is null || !node.Values.Remove(value))
        {
            return false;
        }

        if (node.Values.Count == 0)
        {
            node.Values = null;
        }

        Count--;
        for (var i = prefix.Length; i > 0 && path[i].IsEmpty; i--)
        {
            path[i - 1].RemoveChild(prefix[i - 1]);
        }

        return true;
    }

    /// <summary>Adds to <paramref name="results"/> every value stored under a prefix of <paramref name="key"/> (the key itself included).</summary>
    public void CollectMatches(ReadOnlySpan<byte> key, List<T> results)
    {
        Node? node = _root;
        var depth = 0;
        while (node is not null)
        {
            if (node.Values is not null)
            {
                results.AddRange(node.Values);
            }

            if (depth == key.Length)
            {
                return;
            }

            node = node.FindChild(key[depth++]);
        }
    }

    /// <summary>True when some prefix of <paramref name="key"/> (the key itself included) is stored.</summary>
    public bool HasMatch(ReadOnlySpan<byte> key)
    {
        Node? node = _root;
        var depth = 0;
        while (node is not null)
        {
            if (node.Values is not null)
            {
                return true;
            }

            if (depth == key.Length)
            {
                return false;
            }

            node = node.FindChild(key[depth++]);
        }

        return false;
    }

    /// <summary>
    /// Adds to <paramref name="results"/> every value whose prefix overlaps <paramref name="item"/>: the prefix is a
    /// prefix of the item (the item lies under it) or the item is a prefix of it (the item covers part of it).
    /// </summary>
    public void CollectOverlapping(ReadOnlySpan<byte> item, List<T> results)
    {
        Node? node = _root;
        var depth = 0;
        while (node is not null)
        {
            if (node.Values is not null)
            {
                results.AddRange(node.Values);
            }

            if (depth == item.Length)
            {
                CollectDescendants(node, results);
                return;
            }

            node = node.FindChild(item[depth++]);
        }
    }

    // Iterative, so a long prefix cannot overflow the stack.
    private static void CollectDescendants(Node start, List<T> results)
    {
        var stack = new Stack<Node>();
        for (var i = 0; i < start.ChildCount; i++)
        {
            stack.Push(start.Children[i]);
        }

        while (stack.TryPop(out var node))
        {
            if (node.Values is not null)
            {
                results.AddRange(node.Values);
            }

            for (var i = 0; i < node.ChildCount; i++)
            {
                stack.Push(node.Children[i]);
            }
        }
    }

    private sealed class Node
    {
        private byte[] _labels = [];

        public Node[] Children { get; private set; } = [];

        public int ChildCount { get; private set; }

        public List<T>? Values { get; set; }

        public bool IsEmpty => ChildCount == 0 && Values is null;

        public Node? FindChild(byte label)
        {
            var index = Array.BinarySearch(_labels, 0, ChildCount, label);
            return index >= 0 ? Children[index] : null;
        }

        public Node GetOrAddChild(byte label)
        {
            var index = Array.BinarySearch(_labels, 0, ChildCount, label);
            if (index >= 0)
            {
                return Children[index];
            }

            index = ~index;
            if (ChildCount == _labels.Length)
            {
                var capacity = Math.Max(2, ChildCount * 2);
                var labels = new byte[capacity];
                var children = new Node[capacity];
                Array.Copy(_labels, labels, ChildCount);
                Array.Copy(Children, children, ChildCount);
                _labels = labels;
                Children = children;
            }

            Array.Copy(_labels, index, _labels, index + 1, ChildCount - index);
            Array.Copy(Children, index, Children, index + 1, ChildCount - index);
            var child = new Node();
            _labels[index] = label;
            Children[index] = child;
            ChildCount++;
            return child;
        }

        public void RemoveChild(byte label)
        {
            var index = Array.BinarySearch(_labels, 0, ChildCount, label);
            if (index < 0)
            {
                return;
            }

            ChildCount--;
            Array.Copy(_labels, index + 1, _labels, index, ChildCount - index);
            Array.Copy(Children, index + 1, Children, index, ChildCount - index);
            Children[ChildCount] = null!;
        }
    }
}
