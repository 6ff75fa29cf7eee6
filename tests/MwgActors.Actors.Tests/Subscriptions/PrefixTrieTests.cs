using CsCheck;
using MwgActors.Actors.Subscriptions;
using Xunit.Abstractions;

namespace MwgActors.Actors.Tests.Subscriptions;

public sealed class PrefixTrieTests(ITestOutputHelper output)
{
    // Fixed, and printed, so a failure of the seeded workload below replays exactly.
    private const int Seed = 14_001;

    // A small alphabet and short arrays so prefixes, keys and items overlap often.
    private static readonly Gen<byte[]> Bytes = Gen.Byte[0, 3].Array[0, 5];

    [Fact]
    public void CollectMatches_should_return_every_value_under_a_prefix_of_the_key()
    {
        var trie = new PrefixTrie<string>();
        trie.Add(""u8, "all");
        trie.Add("a"u8, "a");
        trie.Add("ab"u8, "ab");
        trie.Add("ab"u8, "ab2");
        trie.Add("abc"u8, "abc");
        trie.Add("b"u8, "b");

        var results = new List<string>();
        trie.CollectMatches("abd"u8, results);

        Assert.Equal(["all", "a", "ab", "ab2"], results);
        Assert.Equal(6, trie.Count);
    }

    [Fact]
    public void CollectOverlapping_should_return_prefixes_above_and_below_the_item()
    {
        var trie = new PrefixTrie<string>();
        trie.Add("u/"u8, "u/");
        trie.Add("u/1/"u8, "u/1/");
        trie.Add("u/1/x"u8, "u/1/x");
        trie.Add("u/2/"u8, "u/2/");
        trie.Add("v"u8, "v");

        var results = new List<string>();
        trie.CollectOverlapping("u/1"u8, results);

        Assert.Equal(["u/", "u/1/", "u/1/x"], results.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Remove_should_drop_one_entry_and_report_absent_ones()
    {
        var trie = new PrefixTrie<string>();
        trie.Add("ab"u8, "x");
        trie.Add("abc"u8, "y");

        Assert.True(trie.Remove("ab"u8, "x"));
        Assert.False(trie.Remove("ab"u8, "x"));
        Assert.False(trie.Remove("zz"u8, "y"));

        var results = new List<string>();
        trie.CollectMatches("abc"u8, results);
        Assert.Equal(["y"], results);
        Assert.False(trie.HasMatch("ab"u8));
        Assert.True(trie.HasMatch("abcd"u8));
        Assert.Equal(1, trie.Count);
    }

    [Fact]
    public void Matching_should_equal_a_naive_scan_after_adds_and_removes()
    {
        Gen.Select(Bytes.Array[0, 30], Gen.Bool.Array[30], Bytes.Array[1, 20])
            .Sample((prefixes, removed, keys) =>
            {
                var trie = new PrefixTrie<int>();
                for (var i = 0; i < prefixes.Length; i++)
                {
                    trie.Add(prefixes[i], i);
                }

                for (var i = 0; i < prefixes.Length; i++)
                {
                    if (removed[i])
                    {
                        Assert.True(trie.Remove(prefixes[i], i));
                    }
                }

                var kept = Enumerable.Range(0, prefixes.Length).Where(i => !removed[i]).ToArray();
                Assert.Equal(kept.Length, trie.Count);
                foreach (var key in keys)
                {
                    var matches = new List<int>();
                    trie.CollectMatches(key, matches);
                    var expected = kept.Where(i => key.AsSpan().StartsWith(prefixes[i])).ToArray();
                    Assert.Equal(expected, matches.Order());
                    Assert.Equal(expected.Length > 0, trie.HasMatch(key));

                    var overlapping = new List<int>();
                    trie.CollectOverlapping(key, overlapping);
                    var expectedOverlap = kept
                        .Where(i => key.AsSpan().StartsWith(prefixes[i]) || prefixes[i].AsSpan().StartsWith(key))
                        .ToArray();
                    Assert.Equal(expectedOverlap, overlapping.Order());
                }
            });
    }

    [Fact]
    public void Removing_everything_should_leave_an_empty_trie()
    {
        Bytes.Array[1, 30].Sample(prefixes =>
        {
            var trie = new PrefixTrie<int>();
            for (var i = 0; i < prefixes.Length; i++)
            {
                trie.Add(prefixes[i], i);
            }

            for (var i = prefixes.Length - 1; i >= 0; i--)
            {
                Assert.True(trie.Remove(prefixes[i], i));
            }

            Assert.Equal(0, trie.Count);
            var results = new List<int>();
            trie.CollectOverlapping([], results);
            Assert.Empty(results);
        });
    }

    [Fact]
    public void A_long_prefix_should_cost_one_node_and_its_bytes_not_a_node_per_byte()
    {
        var trie = new PrefixTrie<int>();
        var prefixes = Enumerable.Range(0, 200).Select(i => LongPrefix(i, 1024)).ToArray();
        for (var i = 0; i < prefixes.Length; i++)
        {
            trie.Add(prefixes[i], i);
        }

        // 200 distinct 1 KB prefixes sharing "alice/": the shared run, then one leaf each.
        Assert.InRange(trie.NodeCount, 200, 2 * 200);
        Assert.InRange(trie.LabelBytes, 200 * (1024 - "alice/".Length), prefixes.Sum(p => (long)p.Length));
        Assert.True(trie.HasMatch([.. prefixes[7], (byte)'x']));

        for (var i = 0; i < prefixes.Length; i++)
        {
            Assert.True(trie.Remove(prefixes[i], i));
        }

        Assert.Equal(0, trie.NodeCount);
        Assert.Equal(0, trie.LabelBytes);
    }

    [Fact]
    public void A_seeded_random_workload_should_answer_like_a_naive_list_with_memory_bounded_by_its_prefixes()
    {
        output.WriteLine($"PrefixTrie workload seed: {Seed}");
        var random = new Random(Seed);
        var trie = new PrefixTrie<int>();
        var naive = new List<(byte[] Prefix, int Value)>();
        for (var step = 0; step < 4000; step++)
        {
            if (naive.Count > 0 && random.Next(3) == 0)
            {
                var index = random.Next(naive.Count);
                var (prefix, value) = naive[index];
                naive.RemoveAt(index);
                Assert.True(trie.Remove(prefix, value), $"seed {Seed}, step {step}: remove");
            }
            else
            {
                // Reuse a stored prefix now and then, so one prefix holds several values.
                var prefix = naive.Count > 0 && random.Next(5) == 0 ? naive[random.Next(naive.Count)].Prefix : RandomBytes(random);
                trie.Add(prefix, step);
                naive.Add((prefix, step));
            }

            Assert.False(trie.Remove(RandomBytes(random), -1), $"seed {Seed}, step {step}: absent entry removed");
            if (step % 20 == 0)
            {
                AssertLikeNaive(trie, naive, random, step);
            }
        }

        foreach (var (prefix, value) in naive)
        {
            Assert.True(trie.Remove(prefix, value));
        }

        Assert.Equal((0, 0, 0L), (trie.Count, trie.NodeCount, trie.LabelBytes));
    }

    private static void AssertLikeNaive(PrefixTrie<int> trie, List<(byte[] Prefix, int Value)> naive, Random random, int step)
    {
        var distinct = naive.Select(e => e.Prefix).Distinct(new BytesComparer()).ToArray();
        Assert.Equal(naive.Count, trie.Count);
        Assert.True(trie.NodeCount <= 2 * distinct.Length, $"seed {Seed}, step {step}: {trie.NodeCount} nodes for {distinct.Length} prefixes");
        Assert.True(trie.LabelBytes <= distinct.Sum(p => (long)p.Length), $"seed {Seed}, step {step}: label bytes over the prefixes' bytes");
        for (var q = 0; q < 10; q++)
        {
            // Half the keys extend a stored prefix, so matches are found and not only misses.
            var key = naive.Count > 0 && random.Next(2) == 0
                ? [.. naive[random.Next(naive.Count)].Prefix, .. RandomBytes(random)]
                : RandomBytes(random);
            var matches = new List<int>();
            trie.CollectMatches(key, matches);
            var expected = naive.Where(e => key.AsSpan().StartsWith(e.Prefix)).Select(e => e.Value).Order().ToArray();
            Assert.True(expected.SequenceEqual(matches.Order()), $"seed {Seed}, step {step}: matches of a key");
            Assert.Equal(expected.Length > 0, trie.HasMatch(key));

            var overlapping = new List<int>();
            trie.CollectOverlapping(key, overlapping);
            var expectedOverlap = naive
                .Where(e => key.AsSpan().StartsWith(e.Prefix) || e.Prefix.AsSpan().StartsWith(key))
                .Select(e => e.Value).Order().ToArray();
            Assert.True(expectedOverlap.SequenceEqual(overlapping.Order()), $"seed {Seed}, step {step}: overlap of an item");
        }
    }

    // Three letters and lengths up to 40 give deep shared runs, splits inside labels and merges on removal.
    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 41)];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)('a' + random.Next(3));
        }

        return bytes;
    }

    private static byte[] LongPrefix(int i, int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)'p');
        "alice/"u8.CopyTo(bytes);
        BitConverter.TryWriteBytes(bytes.AsSpan(6), i);
        return bytes;
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
