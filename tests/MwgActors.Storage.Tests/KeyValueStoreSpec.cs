using System.Text;

namespace MwgActors.Storage.Tests;

/// <summary>
/// The contract of <see cref="IKeyValueStore"/>, run against every implementation (as Akka's JournalSpec
/// runs against every journal). A subclass supplies the store; each test gets a fresh one.
/// </summary>
public abstract class KeyValueStoreSpec : IDisposable
{
    private IKeyValueStore? _store;

    protected IKeyValueStore Store => _store ??= CreateStore();

    /// <summary>A new, empty store for one test.</summary>
    protected abstract IKeyValueStore CreateStore();

    public virtual void Dispose()
    {
        _store?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Applied_revision_should_follow_the_batches_that_carry_one()
    {
        Assert.Equal(0, Store.AppliedRevision);

        Store.Write(new KeyValueBatch().Put(B("a"), B("1")).WithRevision(7));
        Store.Write(new KeyValueBatch().Put(B("b"), B("2")));
        Assert.Equal(7, Store.AppliedRevision);

        Store.Write(new KeyValueBatch().Remove(B("a")).WithRevision(8));
        Assert.Equal(8, Store.AppliedRevision);
        Assert.Equal([null, B("2")], Store.Get([B("a"), B("b")]));
    }

    [Fact]
    public void An_empty_batch_with_a_revision_should_still_record_it()
    {
        Store.Write(new KeyValueBatch().WithRevision(3));

        Assert.Equal(3, Store.AppliedRevision);
    }

    [Fact]
    public void The_applied_revision_should_stay_out_of_the_data()
    {
        Store.Write(new KeyValueBatch().Put(B("k"), B("v")).WithRevision(1));

        Assert.Single(Store.ScanPrefix(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Get_should_return_values_in_key_order_with_null_for_missing_keys()
    {
        Store.Write(new KeyValueBatch().Put(B("b"), B("2")).Put(B("d"), B("4")).Put(B("a"), B("1")));

        var values = Store.Get([B("d"), B("missing"), B("a"), B("c"), B("b"), B("d")]);

        Assert.Equal(6, values.Length);
        Assert.Equal(B("4"), values[0]);
        Assert.Null(values[1]);
        Assert.Equal(B("1"), values[2]);
        Assert.Null(values[3]);
        Assert.Equal(B("2"), values[4]);
        Assert.Equal(B("4"), values[5]);
    }

    [Fact]
    public void Get_should_tell_an_empty_value_from_a_missing_key()
    {
        Store.Write(new KeyValueBatch().Put(B("empty"), []));

        var values = Store.Get([B("empty"), B("missing")]);

        Assert.NotNull(values[0]);
        Assert.Empty(values[0]!);
        Assert.Null(values[1]);
        var scanned = Assert.Single(Store.ScanPrefix(B("empty")));
        Assert.Empty(scanned.Value);
    }

    [Fact]
    public void Get_of_no_keys_should_return_no_values() =>
        Assert.Empty(Store.Get([]));

    [Fact]
    public void Get_should_accept_any_list_of_keys()
    {
        Store.Write(new KeyValueBatch().Put(B("k"), B("v")));

        var values = Store.Get(new List<byte[]> { B("k"), B("x") });

        Assert.Equal([B("v"), null], values);
    }

    [Fact]
    public void A_null_key_should_be_rejected() =>
        Assert.ThrowsAny<ArgumentException>(() => Store.Get([B("a"), null!]));

    [Fact]
    public void Keys_with_every_byte_value_should_round_trip_in_unsigned_order()
    {
        // [AB], [AB 00 00], [AB 00 01 02 .. FF], [AB 01 00], .. [AB FF 00]: in unsigned byte order already.
        List<byte[]> expected = [[0xAB], [0xAB, 0x00, 0x00], [0xAB, .. Enumerable.Range(0, 256).Select(b => (byte)b)]];
        expected.AddRange(Enumerable.Range(1, 255).Select(b => new byte[] { 0xAB, (byte)b, 0x00 }));
        var batch = new KeyValueBatch();
        foreach (var key in expected.AsEnumerable().Reverse())
        {
            batch.Put(key, [.. key.Reverse()]);
        }

        Store.Write(batch);

        var values = Store.Get(expected);
        Assert.All(expected.Zip(values), pair => Assert.Equal(pair.First.Reverse(), pair.Second));
        var scanned = Store.ScanPrefix(new byte[] { 0xAB }).ToList();
        Assert.Equal(expected, scanned.Select(p => p.Key));
        Assert.Equal(expected.Select(k => k.Reverse().ToArray()), scanned.Select(p => p.Value));
    }

    [Fact]
    public void The_empty_key_should_be_stored_like_any_other()
    {
        Store.Write(new KeyValueBatch().Put(B("a"), B("1")).Put([], B("empty key")));

        Assert.Equal(B("empty key"), Store.Get([[]])[0]);
        Assert.Equal([[], B("a")], Store.ScanPrefix(ReadOnlyMemory<byte>.Empty).Select(p => p.Key));
    }

    [Fact]
    public void Values_of_one_MiB_should_round_trip()
    {
        var random = new Random(7);
        var keys = new[] { B("big/1"), B("big/2"), B("big/3") };
        var values = keys.Select(_ => RandomBytes(random, 1 << 20)).ToArray();
        var batch = new KeyValueBatch();
        for (var i = 0; i < keys.Length; i++)
        {
            batch.Put(keys[i], values[i]);
        }

        Store.Write(batch);

        // SequenceEqual, not Assert.Equal on the arrays: comparing 3 MiB element by element is slow.
        var read = Store.Get(keys);
        var scanned = Store.ScanPrefix(B("big/")).Select(p => p.Value).ToArray();
        Assert.Equal(keys.Length, read.Length);
        Assert.Equal(keys.Length, scanned.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.True(values[i].AsSpan().SequenceEqual(read[i]), $"Get returned another value for key {i}");
            Assert.True(values[i].AsSpan().SequenceEqual(scanned[i]), $"ScanPrefix returned another value for key {i}");
        }
    }

    [Fact]
    public void Write_should_apply_operations_in_order_so_the_last_on_a_key_wins()
    {
        Store.Write(new KeyValueBatch().Put(B("removed"), B("old")).Put(B("replaced"), B("old")));

        Store.Write(new KeyValueBatch()
            .Put(B("put-then-remove"), B("x")).Remove(B("put-then-remove"))
            .Remove(B("remove-then-put")).Put(B("remove-then-put"), B("y"))
            .Put(B("replaced"), B("new1")).Put(B("replaced"), B("new2"))
            .Remove(B("removed"))
            .Remove(B("never-existed")));

        var values = Store.Get([B("put-then-remove"), B("remove-then-put"), B("replaced"), B("removed"), B("never-existed")]);
        Assert.Equal([null, B("y"), B("new2"), null, null], values);
    }

    [Fact]
    public void An_empty_batch_should_change_nothing()
    {
        Store.Write(new KeyValueBatch().Put(B("k"), B("v")));

        Store.Write(new KeyValueBatch());

        Assert.Equal(B("v"), Store.Get([B("k")])[0]);
    }

    [Fact]
    public void The_store_should_own_copies_of_the_arrays_it_is_given_and_gives_out()
    {
        var key = B("key");
        var value = B("value");
        Store.Write(new KeyValueBatch().Put(key, value));
        key[0] = (byte)'X';
        value[0] = (byte)'X';

        var read = Store.Get([B("key")])[0]!;
        read[0] = (byte)'Y';
        var scanned = Store.ScanPrefix(B("key")).Single();
        scanned.Key[0] = (byte)'Y';
        scanned.Value[0] = (byte)'Y';

        Assert.Equal(B("value"), Store.Get([B("key")])[0]);
        Assert.Equal(B("key"), Store.ScanPrefix(B("k")).Single().Key);
    }

    [Fact]
    public void ScanPrefix_should_return_exactly_the_keys_with_the_prefix_in_unsigned_order()
    {
        byte[][] inside = [B("ab"), [.. B("ab"), 0x00], [.. B("ab"), 0x7F], [.. B("ab"), 0x80], [.. B("ab"), 0xFF], [.. B("ab"), 0xFF, 0xFF]];
        byte[][] outside = [B("a"), B("aa\xFF"), B("ac"), B("b"), []];
        var batch = new KeyValueBatch();
        foreach (var key in outside.Concat(inside).Reverse())
        {
            batch.Put(key, key);
        }

        Store.Write(batch);

        Assert.Equal(inside, Store.ScanPrefix(B("ab")).Select(p => p.Key));
        Assert.Equal(inside, Store.ScanPrefix(B("ab")).Select(p => p.Value));
        Assert.Empty(Store.ScanPrefix(B("ab\x01")));
        Assert.Empty(Store.ScanPrefix(B("zz")));
    }

    [Fact]
    public void ScanPrefix_should_stop_at_the_end_of_a_prefix_of_0xFF_bytes()
    {
        // No key is greater than every key starting FF FF, so there is no upper bound to hand the engine.
        byte[][] inside = [[0xFF, 0xFF], [0xFF, 0xFF, 0x00], [0xFF, 0xFF, 0xFF, 0xFF]];
        byte[][] outside = [[0xFF], [0xFF, 0xFE, 0xFF], [0xFE, 0xFF, 0xFF]];
        var batch = new KeyValueBatch();
        foreach (var key in inside.Concat(outside))
        {
            batch.Put(key, key);
        }

        Store.Write(batch);

        Assert.Equal(inside, Store.ScanPrefix(new byte[] { 0xFF, 0xFF }).Select(p => p.Key));
        Assert.Equal([[0xFF], [0xFF, 0xFE, 0xFF], .. inside], Store.ScanPrefix(new byte[] { 0xFF }).Select(p => p.Key));
    }

    [Fact]
    public void ScanPrefix_with_the_empty_prefix_should_return_every_key()
    {
        byte[][] keys = [[0x00], B("m"), [0x80], [0xFF, 0xFF]];
        var batch = new KeyValueBatch();
        foreach (var key in keys.Reverse())
        {
            batch.Put(key, B("v"));
        }

        Store.Write(batch);

        Assert.Equal(keys, Store.ScanPrefix(ReadOnlyMemory<byte>.Empty).Select(p => p.Key));
    }

    [Fact]
    public void ScanPrefix_should_not_see_writes_made_during_the_enumeration()
    {
        var batch = new KeyValueBatch();
        for (var i = 0; i < 10; i++)
        {
            batch.Put(B($"p/{i}"), B("before"));
        }

        Store.Write(batch);
        var seen = new List<KeyValuePair<byte[], byte[]>>();

        foreach (var pair in Store.ScanPrefix(B("p/")))
        {
            if (seen.Count == 0)
            {
                Store.Write(new KeyValueBatch().Remove(B("p/5")).Put(B("p/1"), B("after")).Put(B("p/99"), B("after")));
            }

            seen.Add(pair);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => B($"p/{i}")), seen.Select(p => p.Key));
        Assert.All(seen, p => Assert.Equal(B("before"), p.Value));
        Assert.Equal(10, Store.ScanPrefix(B("p/")).Count());
    }

    [Fact]
    public void ScanPrefix_should_copy_the_prefix_it_is_given()
    {
        Store.Write(new KeyValueBatch().Put(B("a1"), B("v")).Put(B("b1"), B("v")));
        var prefix = B("a");

        var scan = Store.ScanPrefix(prefix);
        prefix[0] = (byte)'b';

        Assert.Equal([B("a1")], scan.Select(p => p.Key));
    }

    [Fact]
    public void GetWhile_should_read_like_Get_when_every_value_is_admitted()
    {
        Store.Write(new KeyValueBatch().Put(B("a"), B("1")).Put(B("e"), []));

        var values = Store.GetWhile([B("a"), B("missing"), B("e"), B("a")], (_, _) => true);

        Assert.Equal([B("1"), null, [], B("1")], values);
    }

    [Fact]
    public void GetWhile_should_show_each_present_value_size_in_key_order_and_stop_at_the_first_refusal()
    {
        var batch = new KeyValueBatch();
        var keys = Enumerable.Range(0, 100).Select(i => B($"w/{i:D3}")).ToArray();
        for (var i = 0; i < keys.Length; i += 2)
        {
            batch.Put(keys[i], new byte[i + 1]);
        }

        Store.Write(batch);
        var seen = new List<(int Index, int Length)>();

        // Refused at the 41st key: past the first chunk a store may read at once, so the rest is never read.
        var values = Store.GetWhile(keys, (index, length) =>
        {
            seen.Add((index, length));
            return index < 40;
        });

        Assert.Null(values);
        Assert.Equal(Enumerable.Range(0, 21).Select(i => (2 * i, (2 * i) + 1)), seen);
    }

    [Fact]
    public async Task Readers_should_see_a_batch_entirely_or_not_at_all_while_it_is_written()
    {
        // More keys than a bounded read (GetWhile) takes in one go: its chunks must read one point in time too.
        const int KeyCount = 80;
        const int Rounds = 200;
        var keys = Enumerable.Range(0, KeyCount).Select(i => B($"atomic/{i:D2}")).ToArray();
        var started = new CountdownEvent(2);
        using var done = new CancellationTokenSource();

        // Own threads, not pool ones: the readers spin, and other test classes run in parallel.
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            var reads = 0;
            do
            {
                AssertOneVersion(Store.Get(keys));
                AssertOneVersion(Store.GetWhile(keys, (_, _) => true)!);
                AssertOneVersion(ScanValues(KeyCount));
                if (reads++ == 0)
                {
                    started.Signal();
                }
            }
            while (!done.IsCancellationRequested);
            return reads;
        }, TaskCreationOptions.LongRunning)).ToArray();

        var writer = Task.Factory.StartNew(() =>
        {
            started.Wait(TimeSpan.FromSeconds(10));
            for (var round = 1; round <= Rounds; round++)
            {
                var batch = new KeyValueBatch(KeyCount);
                foreach (var key in keys)
                {
                    // Every seventh round removes the lot: a remove batch must be atomic too.
                    _ = round % 7 == 0 ? batch.Remove(key) : batch.Put(key, BitConverter.GetBytes(round));
                }

                Store.Write(batch);
            }
        }, TaskCreationOptions.LongRunning);

        await writer;
        await done.CancelAsync();
        var reads = await Task.WhenAll(readers);

        Assert.All(reads, r => Assert.True(r > 0));
        Assert.All(Store.Get(keys), v => Assert.Equal(BitConverter.GetBytes(Rounds), v));
        started.Dispose();

        byte[]?[] ScanValues(int count)
        {
            // A scan sees all keys of a put round or none of a remove round.
            var values = Store.ScanPrefix(B("atomic/")).Select(p => (byte[]?)p.Value).ToArray();
            Assert.True(values.Length is 0 || values.Length == count, $"scan saw {values.Length} of {count} keys");
            return values;
        }

        static void AssertOneVersion(byte[]?[] values)
        {
            if (values.Length > 0)
            {
                Assert.All(values, v => Assert.Equal(values[0], v));
            }
        }
    }

    [Fact]
    public void GetStats_should_count_the_keys()
    {
        var batch = new KeyValueBatch();
        for (var i = 0; i < 100; i++)
        {
            batch.Put(B($"s/{i}"), new byte[100]);
        }

        Store.Write(batch);

        var stats = Store.GetStats();
        Assert.Equal(100, stats.ApproximateKeyCount);
        Assert.True(stats.SizeOnDiskBytes >= 0);
    }

    [Fact]
    public void Calls_after_dispose_should_throw_ObjectDisposedException()
    {
        var store = Store;
        store.Dispose();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Get([B("k")]));
        Assert.Throws<ObjectDisposedException>(() => store.Write(new KeyValueBatch().Put(B("k"), B("v"))));
        Assert.Throws<ObjectDisposedException>(() => store.ScanPrefix(B("k")));
        Assert.Throws<ObjectDisposedException>(store.GetStats);
    }

    [Fact]
    public void A_scan_still_open_at_dispose_should_fail_with_ObjectDisposedException()
    {
        Store.Write(new KeyValueBatch().Put(B("o/1"), B("v")).Put(B("o/2"), B("v")));
        using var scan = Store.ScanPrefix(B("o/")).GetEnumerator();
        Assert.True(scan.MoveNext());

        Store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => scan.MoveNext());
    }

    protected static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    protected static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
