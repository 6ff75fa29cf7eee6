using System.Runtime.Versioning;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Tests.RocksDb;

/// <summary>Failures an operator meets at startup must be one clear <see cref="StoreException"/>, never a native crash.</summary>
public sealed class RocksDbStoreErrorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_folder_held_by_another_process_should_be_reported_as_already_in_use()
    {
        var path = _temp.Combine("db");
        await using (var holder = ChildProcess.Start(["hold-rocksdb", path]))
        {
            Assert.Equal("ready", await holder.ReadLineAsync());

            var error = Assert.Throws<StoreException>(() => RocksDbKeyValueStore.Open(new RocksDbSettings(path)));

            Assert.Equal(StoreErrorKind.AlreadyInUse, error.Kind);
            AssertOneLineNaming(path, error.Message);
        }

        // Once the holder has exited, the lock is gone.
        using var store = RocksDbKeyValueStore.Open(new RocksDbSettings(path));
        Assert.Empty(store.ScanPrefix(ReadOnlyMemory<byte>.Empty));
    }

    [Theory]
    [InlineData("CURRENT")]
    [InlineData("MANIFEST-*")]
    public void A_damaged_database_should_be_reported_as_corrupt(string damagedFiles)
    {
        var path = CreateDatabase("db");
        var random = new Random(3);
        foreach (var file in Directory.GetFiles(path, damagedFiles))
        {
            var garbage = new byte[300];
            random.NextBytes(garbage);
            File.WriteAllBytes(file, garbage);
        }

        var error = Assert.Throws<StoreException>(() => RocksDbKeyValueStore.Open(new RocksDbSettings(path)));

        Assert.Equal(StoreErrorKind.Corrupt, error.Kind);
        AssertOneLineNaming(path, error.Message);
    }

    [Fact]
    public void A_CURRENT_file_naming_a_missing_manifest_should_be_reported_as_corrupt()
    {
        var path = CreateDatabase("db");
        File.WriteAllText(Path.Combine(path, "CURRENT"), "MANIFEST-999999\n");

        var error = Assert.Throws<StoreException>(() => RocksDbKeyValueStore.Open(new RocksDbSettings(path)));

        Assert.Equal(StoreErrorKind.Corrupt, error.Kind);
        AssertOneLineNaming(path, error.Message);
    }

    [Fact]
    public void A_data_path_below_a_regular_file_should_be_reported_not_crash()
    {
        File.WriteAllText(_temp.Combine("file"), "not a folder");
        var path = Path.Combine(_temp.Combine("file"), "db");

        var error = Assert.Throws<StoreException>(() => RocksDbKeyValueStore.Open(new RocksDbSettings(path)));

        AssertOneLineNaming(path, error.Message);
    }

    [PermissionFact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_folder_the_process_may_not_write_should_be_reported_as_permission_denied()
    {
        var path = CreateDatabase("db");

        // Root ignores file modes, so as root the probe runs as 'nobody'; otherwise read-only modes do it.
        var read = UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(_temp.Path, read | UnixFileMode.UserWrite);
        File.SetUnixFileMode(path, read);
        string line;
        try
        {
            await using var probe = ChildProcess.Start(["open-rocksdb", path], PermissionFactAttribute.RunAsUnprivileged);
            line = await probe.ReadLineAsync();
            Assert.Equal(1, await probe.WaitForExitAsync());
        }
        finally
        {
            File.SetUnixFileMode(path, read | UnixFileMode.UserWrite);
        }

        Assert.StartsWith("error PermissionDenied ", line);
        AssertOneLineNaming(path, line);
    }

    private string CreateDatabase(string name)
    {
        var path = _temp.Combine(name);
        using var store = RocksDbKeyValueStore.Open(new RocksDbSettings(path));
        store.Write(new KeyValueBatch().Put([1], [2]));
        return path;
    }

    private static void AssertOneLineNaming(string path, string message)
    {
        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }
}
