using System.Text;
using CsCheck;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Storage.Tests.Mwdb;

public sealed class MwdbBatchTests
{
    // mwDB's buffer iterator rules, shared/protocol/mwdb-g1.md section 1. Elements joined by '|' here.
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("a", new[] { "a" })]
    [InlineData("a#b", new[] { "a", "b" })]
    [InlineData("a#b#", new[] { "a", "b" })]
    [InlineData("a##b", new[] { "a", "", "b" })]
    [InlineData("#", new[] { "" })]
    [InlineData("##", new[] { "", "" })]
    [InlineData("#a", new[] { "", "a" })]
    [InlineData("a##", new[] { "a", "" })]
    public void Split_should_follow_the_mwdb_iterator_rules(string data, string[] expected)
    {
        var bytes = Encoding.ASCII.GetBytes(data);

        var split = MwdbBatch.Split(bytes).Select(Encoding.ASCII.GetString).ToArray();

        Assert.Equal(expected, split);
        Assert.Equal(expected.Length, MwdbBatch.Count(bytes));
    }

    [Fact]
    public void Split_should_read_the_golden_get_with_a_trailing_separator()
    {
        var data = "\u0003;////////9;////////+;A#\u0003;////////8;////////+;A#\u0002;////////+;////////+;////////+#\u0000;////////+;A;A#"u8;

        var keys = MwdbBatch.Split(data);

        Assert.Equal(4, keys.Length);
        Assert.Equal("\u0000;////////+;A;A"u8.ToArray(), keys[3]);
    }

    [Fact]
    public void Enumerate_should_report_each_element_offset()
    {
        var starts = new List<int>();
        var e = MwdbBatch.Enumerate("ab##c#"u8);
        while (e.MoveNext())
        {
            starts.Add(e.CurrentStart);
        }

        Assert.Equal([0, 3, 4], starts);
    }

    [Fact]
    public void Join_should_not_add_a_trailing_separator() =>
        Assert.Equal("a##b"u8.ToArray(), MwdbBatch.Join([[(byte)'a'], [], [(byte)'b']]));

    [Fact]
    public void Join_should_refuse_an_element_containing_the_separator() =>
        Assert.Throws<ArgumentException>(() => MwdbBatch.Join([[(byte)'a', (byte)'#']]));

    [Fact]
    public void Split_should_invert_join_when_the_last_element_is_not_empty() =>
        Gen.Byte.Where(b => b != MwdbBatch.Separator).Array[0, 8].Array[1, 10]
            .Where(elements => elements[^1].Length > 0)
            .Sample(elements =>
            {
                var joined = MwdbBatch.Join(elements);
                var split = MwdbBatch.Split(joined);
                return joined.Length == MwdbBatch.JoinedLength(elements)
                    && split.Length == elements.Length
                    && split.Zip(elements).All(p => p.First.AsSpan().SequenceEqual(p.Second));
            }, iter: 10_000);
}
