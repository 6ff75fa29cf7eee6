using System.Text;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using MwgActors.Storage.Memory;

namespace MwgActors.Actors.Tests.Storage;

/// <summary>Issue 14, finding 2: a get reads each distinct key once and stops as soon as its reply would pass the budget.</summary>
public sealed class BoundedGetTests : IDisposable
{
    private static readonly byte[] Big = Encoding.UTF8.GetBytes("big");
    private readonly CountingStore _store = new(new InMemoryKeyValueStore());

    public BoundedGetTests() =>
        _store.Write(new KeyValueBatch().Put(Big, new byte[1000]).Put(B("a"), B("1")).Put(B("b"), B("22")));

    public void Dispose() => _store.Dispose();

    [Fact]
    public void A_key_named_many_times_should_be_read_once_and_fill_every_position()
    {
        var values = BoundedGet.Read(_store, Enumerable.Repeat(Big, 300).Append(B("a")).Append(Big).ToArray(), budget: null);

        Assert.NotNull(values);
        Assert.Equal(302, values.Length);
        Assert.All(values.Where((_, i) => i != 300), v => Assert.Equal(1000, v!.Length));
        Assert.Equal(B("1"), values[300]);
        Assert.Equal(2, _store.KeysRead);
        Assert.Equal(2, _store.ValuesAdmitted);
    }

    [Fact]
    public void Duplicates_should_be_paid_at_every_position_and_stop_the_read_before_the_value_that_passes()
    {
        // 10 positions of 1000 bytes need 10,000; the first value seen already costs all ten positions.
        var values = BoundedGet.Read(_store, [B("a"), .. Enumerable.Repeat(Big, 10), B("b")], new ReplyBudget(9_999));

        Assert.Null(values);
        Assert.Equal(2, _store.ValuesAdmitted);
        Assert.Equal(0, _store.ValuesCopiedAfterRefusal);
    }

    [Fact]
    public void A_reply_within_the_budget_should_be_read_in_full()
    {
        // 3 positions: 1 + 2 + missing, at 5 bytes each besides the values = 18.
        var values = BoundedGet.Read(_store, [B("a"), B("b"), B("missing")], new ReplyBudget(18, BytesPerPosition: 5));

        Assert.Equal([B("1"), B("22"), null], values);
        Assert.Null(BoundedGet.Read(_store, [B("a"), B("b"), B("missing")], new ReplyBudget(17, BytesPerPosition: 5)));
    }

    [Fact]
    public void Positions_alone_over_the_budget_should_read_nothing()
    {
        Assert.Null(BoundedGet.Read(_store, [B("a"), B("b")], new ReplyBudget(9, BytesPerPosition: 5)));
        Assert.Equal(0, _store.KeysRead);
    }

    [Fact]
    public void Base64_values_should_cost_four_bytes_for_three()
    {
        var budget = new ReplyBudget(1336, Base64Values: true);

        Assert.Equal(1336, budget.ValueCost(1000));
        Assert.NotNull(BoundedGet.Read(_store, [Big], budget));
        Assert.Null(BoundedGet.Read(_store, [Big], budget with { MaxBytes = 1335 }));
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Counts what a real store is asked to read.</summary>
    private sealed class CountingStore(IKeyValueStore inner) : IKeyValueStore
    {
        private bool _refused;

        public int KeysRead { get; private set; }

        public int ValuesAdmitted { get; private set; }

        public int ValuesCopiedAfterRefusal { get; private set; }

        public long AppliedRevision => inner.AppliedRevision;

        public byte[]?[] Get(IReadOnlyList<byte[]> keys)
        {
            KeysRead += keys.Count;
            return inner.Get(keys);
        }

        public byte[]?[]? GetWhile(IReadOnlyList<byte[]> keys, ValueAdmission admit)
        {
            KeysRead += keys.Count;
            return inner.GetWhile(keys, (index, length) =>
            {
                if (_refused)
                {
                    ValuesCopiedAfterRefusal++;
                }

                ValuesAdmitted++;
                _refused = !admit(index, length);
                return !_refused;
            });
        }

        public void Write(KeyValueBatch batch) => inner.Write(batch);

        public IEnumerable<KeyValuePair<byte[], byte[]>> ScanPrefix(ReadOnlyMemory<byte> prefix) => inner.ScanPrefix(prefix);

        public StoreStats GetStats() => inner.GetStats();

        public void Dispose() => inner.Dispose();
    }
}
