namespace MwgActors.Actors.Subscriptions;

/// <summary>
/// Radix (path-compressed) prefix trie mapping prefixes to values, so that finding the prefixes of a key costs
/// O(key length + matches) however many prefixes are stored. Not thread-safe: owned by one actor.
/// </summary>
/// <remarks>
/// Each edge carries a run of bytes (its label), not one byte: a node exists only where a stored prefix ends or
/// where two stored prefixes part. So n stored prefixes need at most 2n nodes and their labels hold at most the
/// bytes of the distinct prefixes, whatever their length: a 1 KB prefix is one node and one 1 KB label, not a
/// thousand nodes (issue 14, finding 1). A value may be stored under several prefixes, and several values under
/// one prefix. Children are kept in small arrays sorted by the first byte of their label (no two children of a
/// node share one): most nodes have one or two children, and a dictionary per node would cost far more memory.
/// </remarks>
internal sealed class PrefixTrie<T>
{
    private readonly Node _root = new([]);

    /// <summary>Number of (prefix, value) entries.</summary>
    public int Count { get; private set; }

    /// <summary>Nodes below the root (for tests and estimates: at most twice the distinct prefixes stored).</summary>
    public int NodeCount { get; private set; }

    /// <summary>Bytes held in edge labels (at most the bytes of the distinct prefixes stored).</summary>
    public long LabelBytes { get; private set; }

    public void Add(ReadOnlySpan<byte> prefix, T value)
    {
        var node = _root;
        var rest = prefix;
        while (!rest.IsEmpty)
        {
            var index = node.IndexOf(rest[0]);
            if (index < 0)
            {
                var leaf = new Node(rest.ToArray());
                node.Insert(~index, leaf);
                Grew(leaf);
                node = leaf;
                break;
            }

            var child = node.Children[index];
            var common = rest.CommonPrefixLength(child.Label);
            if (common < child.Label.Length)
            {
                // The prefix ends inside the child's label or parts from it there: split the label at that point.
                child = Split(node, index, common);
            }

            node = child;
            rest = rest[common..];
        }

        (node.Values ??= []).Add(value);
        Count++;
    }

    /// <summary>Removes one entry (prefix, value); prunes the nodes it leaves empty or needless. False if absent.</summary>
    public bool Remove(ReadOnlySpan<byte> prefix, T value)
    {
        // The path holds at most one node per stored prefix on the way: short, whatever the prefix's length.
        var path = new List<(Node Parent, int Index)>();
        var node = _root;
        var rest = prefix;
        while (!rest.IsEmpty)
        {
            var index = node.IndexOf(rest[0]);
            if (index < 0 || !rest.StartsWith(node.Children[index].Label))
            {
                return false;
            }

            path.Add((node, index));
            rest = rest[node.Children[index].Label.Length..];
            node = node.Children[index];
        }

        if (node.Values is null || !node.Values.Remove(value))
        {
            return false;
        }

        if (node.Values.Count == 0)
        {
            node.Values = null;
        }

        Count--;
        for (var i = path.Count - 1; i >= 0; i--)
        {
            var (parent, index) = path[i];
            var current = parent.Children[index];
            if (current.IsEmpty)
            {
                parent.RemoveAt(index);
                Shrank(current);
            }
            else if (current.Values is null && current.ChildCount == 1)
            {
                // A node that neither ends a prefix nor parts two is merged into its only child.
                var only = current.Children[0];
                var merged = new byte[current.Label.Length + only.Label.Length];
                current.Label.CopyTo(merged, 0);
                only.Label.CopyTo(merged, current.Label.Length);
                only.Label = merged;
                parent.Children[index] = only; // the merged label holds exactly the bytes of the two it replaces
                NodeCount--;
                break; // the parent keeps as many children as before: nothing above changes
            }
            else
            {
                break; // this node stays as it is, so do its ancestors
            }
        }

        return true;
    }

    /// <summary>Adds to <paramref name="results"/> every value stored under a prefix of <paramref name="key"/> (the key itself included).</summary>
    public void CollectMatches(ReadOnlySpan<byte> key, List<T> results)
    {
        var node = _root;
        var rest = key;
        while (true)
        {
            if (node.Values is not null)
            {
                results.AddRange(node.Values);
            }

            if (Descend(node, ref rest) is not { } next)
            {
                return;
            }

            node = next;
        }
    }

    /// <summary>True when some prefix of <paramref name="key"/> (the key itself included) is stored.</summary>
    public bool HasMatch(ReadOnlySpan<byte> key)
    {
        var node = _root;
        var rest = key;
        while (true)
        {
            if (node.Values is not null)
            {
                return true;
            }

            if (Descend(node, ref rest) is not { } next)
            {
                return false;
            }

            node = next;
        }
    }

    /// <summary>
    /// Adds to <paramref name="results"/> every value whose prefix overlaps <paramref name="item"/>: the prefix is a
    /// prefix of the item (the item lies under it) or the item is a prefix of it (the item covers part of it).
    /// </summary>
    public void CollectOverlapping(ReadOnlySpan<byte> item, List<T> results)
    {
        var node = _root;
        var rest = item;
        while (true)
        {
            if (node.Values is not null)
            {
                results.AddRange(node.Values);
            }

            if (rest.IsEmpty)
            {
                CollectDescendants(node, results);
                return;
            }

            var index = node.IndexOf(rest[0]);
            if (index < 0)
            {
                return;
            }

            var child = node.Children[index];
            if (child.Label.AsSpan().StartsWith(rest))
            {
                // The item ends inside (or at the end of) this label: everything from the child down lies under it.
                if (child.Values is not null)
                {
                    results.AddRange(child.Values);
                }

                CollectDescendants(child, results);
                return;
            }

            if (!rest.StartsWith(child.Label))
            {
                return;
            }

            rest = rest[child.Label.Length..];
            node = child;
        }
    }

    /// <summary>The child whose whole label starts <paramref name="rest"/>, with <paramref name="rest"/> moved past it; null if none.</summary>
    private static Node? Descend(Node node, ref ReadOnlySpan<byte> rest)
    {
        if (rest.IsEmpty)
        {
            return null;
        }

        var index = node.IndexOf(rest[0]);
        if (index < 0)
        {
            return null;
        }

        var child = node.Children[index];
        if (!rest.StartsWith(child.Label))
        {
            return null;
        }

        rest = rest[child.Label.Length..];
        return child;
    }

    // Iterative, so a deep trie cannot overflow the stack.
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

    /// <summary>Cuts the label of <paramref name="parent"/>'s child at <paramref name="at"/>: a new node holds the head, the child keeps the tail.</summary>
    private Node Split(Node parent, int index, int at)
    {
        var child = parent.Children[index];
        var head = new Node(child.Label[..at]);
        child.Label = child.Label[at..];
        head.Insert(0, child);
        parent.Children[index] = head;
        NodeCount++;
        return head;
    }

    private void Grew(Node leaf)
    {
        NodeCount++;
        LabelBytes += leaf.Label.Length;
    }

    private void Shrank(Node removed)
    {
        NodeCount--;
        LabelBytes -= removed.Label.Length;
    }

    private sealed class Node(byte[] label)
    {
        private static readonly Node[] NoChildren = [];

        /// <summary>The bytes on the edge from the parent to this node; empty only for the root.</summary>
        public byte[] Label { get; set; } = label;

        public Node[] Children { get; private set; } = NoChildren;

        public int ChildCount { get; private set; }

        public List<T>? Values { get; set; }

        public bool IsEmpty => ChildCount == 0 && Values is null;

        /// <summary>The index of the child whose label starts with <paramref name="first"/>, or the complement of where it would go.</summary>
        public int IndexOf(byte first)
        {
            int low = 0, high = ChildCount - 1;
            while (low <= high)
            {
                var mid = (low + high) >>> 1;
                var label = Children[mid].Label[0];
                if (label == first)
                {
                    return mid;
                }

                if (label < first)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid - 1;
                }
            }

            return ~low;
        }

        public void Insert(int index, Node child)
        {
            if (ChildCount == Children.Length)
            {
                var children = new Node[Math.Max(2, ChildCount * 2)];
                Array.Copy(Children, children, ChildCount);
                Children = children;
            }

            Array.Copy(Children, index, Children, index + 1, ChildCount - index);
            Children[index] = child;
            ChildCount++;
        }

        public void RemoveAt(int index)
        {
            ChildCount--;
            Array.Copy(Children, index + 1, Children, index, ChildCount - index);
            Children[ChildCount] = null!;
        }
    }
}
