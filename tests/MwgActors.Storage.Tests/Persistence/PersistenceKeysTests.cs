using CsCheck;
using MwgActors.Storage.Persistence;

namespace MwgActors.Storage.Tests.Persistence;

public sealed class PersistenceKeysTests
{
    private static readonly Gen<string> PersistenceIds = Gen.String[Gen.Char.AlphaNumeric, 1, 12];
    private static readonly Gen<long> SequenceNrs = Gen.OneOf(Gen.Long[0, long.MaxValue], Gen.Long[0, 1000]);

    [Fact]
    public void Entry_keys_of_one_persistence_id_should_sort_by_sequence_number() =>
        Gen.Select(PersistenceIds, SequenceNrs, SequenceNrs).Sample((pid, a, b) =>
        {
            var prefix = PersistenceKeys.Prefix(pid);
            var order = PersistenceKeys.Entry(prefix, a).AsSpan().SequenceCompareTo(PersistenceKeys.Entry(prefix, b));
            return Math.Sign(order) == a.CompareTo(b);
        });

    [Fact]
    public void Entry_keys_of_another_persistence_id_should_fall_outside_the_range_of_an_id() =>
        Gen.Select(PersistenceIds, PersistenceIds, SequenceNrs).Sample((pid, other, sequenceNr) =>
        {
            if (pid == other)
            {
                return true;
            }

            var prefix = PersistenceKeys.Prefix(pid);
            var key = PersistenceKeys.Entry(PersistenceKeys.Prefix(other), sequenceNr);
            var below = key.AsSpan().SequenceCompareTo(PersistenceKeys.Entry(prefix, 0L)) < 0;
            var above = key.AsSpan().SequenceCompareTo(PersistenceKeys.EntryUpperBound(prefix, long.MaxValue)) >= 0;
            return (below || above) && !PersistenceKeys.TryReadSequenceNr(key, prefix, out _);
        });

    [Theory]
    [InlineData("p-1", "p-10")]
    [InlineData("p-", "p-1")]
    [InlineData("a", "ab")]
    public void A_persistence_id_that_prefixes_another_should_not_share_its_keys(string shorter, string longer)
    {
        var key = PersistenceKeys.Entry(PersistenceKeys.Prefix(longer), 1L);

        Assert.False(PersistenceKeys.TryReadSequenceNr(key, PersistenceKeys.Prefix(shorter), out _));
        Assert.True(PersistenceKeys.TryReadSequenceNr(key, PersistenceKeys.Prefix(longer), out var sequenceNr));
        Assert.Equal(1L, sequenceNr);
    }

    [Fact]
    public void Highest_sequence_number_should_round_trip() =>
        SequenceNrs.Sample(sequenceNr => PersistenceKeys.DecodeSequenceNr(PersistenceKeys.EncodeSequenceNr(sequenceNr)) == sequenceNr);

    [Fact]
    public void Too_long_or_empty_persistence_ids_should_be_rejected()
    {
        Assert.Throws<ArgumentException>(() => PersistenceKeys.Prefix(string.Empty));
        Assert.Throws<ArgumentException>(() => PersistenceKeys.Prefix(new string('x', PersistenceKeys.MaxPersistenceIdBytes + 1)));
        Assert.Equal(2 + PersistenceKeys.MaxPersistenceIdBytes, PersistenceKeys.Prefix(new string('x', PersistenceKeys.MaxPersistenceIdBytes)).Length);
    }
}
