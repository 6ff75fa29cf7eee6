using MwgActors.Storage.Memory;

namespace MwgActors.Storage.Tests.Memory;

public sealed class InMemoryKeyValueStoreSpec : KeyValueStoreSpec
{
    protected override IKeyValueStore CreateStore() => new InMemoryKeyValueStore();

    [Fact]
    public void GetStats_should_report_the_exact_count_and_nothing_on_disk()
    {
        Store.Write(new KeyValueBatch().Put(B("a"), B("1")).Put(B("b"), B("2")).Remove(B("a")));

        Assert.Equal(new StoreStats(1, 0), Store.GetStats());
    }
}
