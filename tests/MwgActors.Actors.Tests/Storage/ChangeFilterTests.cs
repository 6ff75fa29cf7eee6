using System.Text;
using MwgActors.Actors.Storage;
using MwgActors.Storage;
using MwgActors.Storage.Memory;

namespace MwgActors.Actors.Tests.Storage;

/// <summary>Issue 14, finding 13: which operations of a batch change the store (etcd's rule), for the single writer.</summary>
public sealed class ChangeFilterTests : IDisposable
{
    private readonly InMemoryKeyValueStore _view = new();
    private readonly ChangeFilter _filter = new();

    public ChangeFilterTests() => _view.Write(new KeyValueBatch().Put(B("a"), B("1")));

    public void Dispose() => _view.Dispose();

    [Fact]
    public void Removes_of_absent_keys_should_be_left_out_and_the_rest_kept_in_order()
    {
        BatchOperation[] batch = [Remove("missing"), Remove("a"), Put("b"), Remove("a"), Remove("b"), Remove("b"), Put("c")];

        var changes = _filter.Changes(batch, _view);

        Assert.Equal(["-a", "+b", "-b", "+c"], changes.Select(Describe));
    }

    [Fact]
    public void A_batch_that_changes_everything_should_be_returned_as_it_is()
    {
        BatchOperation[] batch = [Put("x"), Remove("a")];

        Assert.Same(batch, _filter.Changes(batch, _view));
    }

    [Fact]
    public void A_remove_of_a_key_written_by_a_batch_still_in_flight_should_be_kept_until_that_batch_is_applied()
    {
        BatchOperation[] put = [Put("new")];
        _filter.Journaling(put);

        Assert.Equal(["-new"], _filter.Changes([Remove("new")], _view).Select(Describe));

        // Applied (or rejected by the journal) without reaching the view: the view decides again.
        _filter.Applied(put);
        Assert.Empty(_filter.Changes([Remove("new")], _view));
    }

    private static BatchOperation Put(string key) => new(B(key), B("v"));

    private static BatchOperation Remove(string key) => new(B(key), null);

    private static string Describe(BatchOperation o) => (o.Value is null ? "-" : "+") + Encoding.UTF8.GetString(o.Key);

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
}
