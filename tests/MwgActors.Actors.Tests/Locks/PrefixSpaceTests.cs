using CsCheck;
using MwgActors.Actors.Locks;

namespace MwgActors.Actors.Tests.Locks;

public sealed class PrefixSpaceTests
{
    [Fact]
    public void Lowest_free_should_fill_holes_before_the_high_water_mark()
    {
        var space = new PrefixSpace(8);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(space.TryGetLowestFree(out var p));
            space.Take(p);
        }

        space.Free(2);
        space.Free(0);

        Assert.True(space.TryGetLowestFree(out var lowest));
        Assert.Equal(0, lowest);
        Assert.Equal(2, space.LeasedCount);
    }

    [Fact]
    public void A_full_space_should_have_no_lowest_free()
    {
        var space = new PrefixSpace(2);
        space.Take(0);
        space.Take(1);

        Assert.False(space.TryGetLowestFree(out _));
    }

    [Fact]
    public void Any_sequence_of_takes_and_frees_should_agree_with_a_plain_set()
    {
        const int size = 40;
        var operations = Gen.Select(Gen.Bool, Gen.Int[0, size - 1]).Array[0, 200];

        operations.Sample(ops =>
        {
            var space = new PrefixSpace(size);
            var leased = new bool[size];
            foreach (var (take, prefix) in ops)
            {
                if (take)
                {
                    space.Take(prefix);
                }
                else
                {
                    space.Free(prefix);
                }

                leased[prefix] = take;
                var expected = Array.IndexOf(leased, false);
                var found = space.TryGetLowestFree(out var lowest);
                if (found != (expected >= 0) || (found && lowest != expected) || space.LeasedCount != leased.Count(l => l))
                {
                    return false;
                }
            }

            return Enumerable.Range(0, size).All(p => space.IsFree(p) == !leased[p]);
        });
    }
}
