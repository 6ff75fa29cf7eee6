using CsCheck;
using MwgActors.Actors.Subscriptions;

namespace MwgActors.Actors.Tests.Subscriptions;

public sealed class PrefixTrieTests
{
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
}
