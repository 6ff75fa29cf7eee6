using MwgActors.Actors.Auth;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

public sealed class ReadableChangesTests
{
    private static readonly Change[] Changes = [new([1, 1], false, [10]), new([2, 1], true, null), new([1, 2], false, [30])];

    [Fact]
    public void Changes_all_readable_should_go_out_as_the_list_received()
    {
        Assert.Same(Changes, ReadableChanges.Of(Changes, Reading([])));
        Assert.Same(Changes, ReadableChanges.Of(Changes, Principal.Anonymous));
    }

    [Fact]
    public void Changes_partly_readable_should_keep_only_the_readable_ones_in_order()
    {
        var readable = ReadableChanges.Of(Changes, Reading([1]));

        Assert.Equal([Changes[0], Changes[2]], readable);
        Assert.Same(Changes[2].Key, readable[1].Key);
        Assert.Equal(3, Changes.Length); // the shared list is left as it was
    }

    [Fact]
    public void Changes_none_readable_should_give_an_empty_list()
    {
        Assert.Empty(ReadableChanges.Of(Changes, Reading([3])));
    }

    // Read rights on keys under the prefix only (writes everywhere, which must not count).
    private static Principal Reading(byte[] prefix) =>
        new("ada", new Dictionary<Right, IReadOnlyList<byte[]>> { [Right.Read] = [prefix], [Right.Write] = [[]] }, null);
}
