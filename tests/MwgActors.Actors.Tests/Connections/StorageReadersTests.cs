using MwgActors.Actors.Connections;
using MwgActors.Actors.Storage;
using MwgActors.Storage.Memory;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>Where gets go: the view while open, else the reader pool once known, else the storage actor.</summary>
public sealed class StorageReadersTests
{
    private readonly TestRef _storage = new("storage");
    private readonly TestRef _pool = new("pool");

    [Fact]
    public void Reads_should_go_to_the_storage_actor_until_the_pool_is_known()
    {
        var readers = new StorageReaders(_storage);
        Assert.Same(_storage, readers.ReadTarget);
        Assert.Null(readers.LocalView);
    }

    [Fact]
    public void Reads_should_go_to_the_view_and_the_pool_once_known_and_to_the_pool_once_the_view_closed()
    {
        var readers = new StorageReaders(_storage);
        var view = new SharedView(new InMemoryKeyValueStore());
        readers.Known(new StorageProtocol.Readers(_pool, view));
        Assert.Same(view, readers.LocalView);
        Assert.Same(_pool, readers.ReadTarget);

        readers.ViewClosed();
        Assert.Null(readers.LocalView);
        Assert.Same(_pool, readers.ReadTarget);
    }

    [Fact]
    public void Losing_the_pool_should_fall_back_to_the_storage_actor_and_drop_the_view()
    {
        var readers = new StorageReaders(_storage);
        readers.Known(new StorageProtocol.Readers(_pool, new SharedView(new InMemoryKeyValueStore())));

        Assert.True(readers.Terminated(_pool));
        Assert.Same(_storage, readers.ReadTarget);
        Assert.Null(readers.LocalView);
        Assert.False(readers.Terminated(_pool)); // already lost: not asked for again
    }

    [Fact]
    public void Another_watched_actor_dying_should_leave_the_pool_in_use()
    {
        var readers = new StorageReaders(_storage);
        var view = new SharedView(new InMemoryKeyValueStore());
        readers.Known(new StorageProtocol.Readers(_pool, view));

        Assert.False(readers.Terminated(new TestRef("pool-of-an-earlier-life")));
        Assert.Same(_pool, readers.ReadTarget);
        Assert.Same(view, readers.LocalView);
    }

    [Fact]
    public void A_new_pool_should_replace_the_old_one()
    {
        var readers = new StorageReaders(_storage);
        readers.Known(new StorageProtocol.Readers(_pool));
        var successor = new TestRef("successor");
        readers.Known(new StorageProtocol.Readers(successor));

        Assert.Same(successor, readers.ReadTarget);
        Assert.False(readers.Terminated(_pool));
        Assert.True(readers.Terminated(successor));
    }
}
