using MwgActors.Storage;

namespace MwgActors.Actors.Storage;

/// <summary>
/// Reads a get's keys so that what the client asks for cannot cost more than its budget: each distinct key is read
/// once (its value shared by the positions that name it), and reading stops as soon as the reply's cost would pass
/// the budget, before the value that would pass it is copied. Used by every read path (inline, reader pool, cluster).
/// </summary>
public static class BoundedGet
{
    /// <summary>One value per position of <paramref name="keys"/>, or null when the reply would exceed <paramref name="budget"/>.</summary>
    /// <exception cref="StoreException">The engine failed the read.</exception>
    public static byte[]?[]? Read(IKeyValueStore store, IReadOnlyList<byte[]> keys, ReplyBudget? budget)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        budget ??= ReplyBudget.Unbounded;
        var cost = (long)keys.Count * budget.BytesPerPosition;
        if (cost > budget.MaxBytes)
        {
            return null;
        }

        var distinct = Distinct(keys, out var positions, out var counts);
        var values = store.GetWhile(distinct, (index, length) =>
        {
            cost += (counts is null ? 1 : counts[index]) * budget.ValueCost(length);
            return cost <= budget.MaxBytes;
        });
        if (values is null || positions is null)
        {
            return values;
        }

        var result = new byte[]?[keys.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = values[positions[i]];
        }

        return result;
    }

    /// <summary>The distinct keys in first-seen order; null maps when every key is distinct already.</summary>
    /// <param name="positions">For each position of <paramref name="keys"/>, its key's index among the distinct ones.</param>
    /// <param name="counts">For each distinct key, how many positions name it.</param>
    private static IReadOnlyList<byte[]> Distinct(IReadOnlyList<byte[]> keys, out int[]? positions, out int[]? counts)
    {
        positions = null;
        counts = null;
        if (keys.Count < 2)
        {
            return keys;
        }

        var index = new Dictionary<byte[], int>(keys.Count, ByteArrayComparer.Instance);
        var map = new int[keys.Count];
        var distinct = new List<byte[]>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i] ?? throw new ArgumentException($"key {i} is null", nameof(keys));
            if (!index.TryGetValue(key, out var at))
            {
                at = distinct.Count;
                index.Add(key, at);
                distinct.Add(key);
            }

            map[i] = at;
        }

        if (distinct.Count == keys.Count)
        {
            return keys;
        }

        var perKey = new int[distinct.Count];
        foreach (var at in map)
        {
            perKey[at]++;
        }

        positions = map;
        counts = perKey;
        return distinct;
    }
}
