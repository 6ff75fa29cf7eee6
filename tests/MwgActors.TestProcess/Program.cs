using MwgActors.TestProcess;

// Subcommands for tests that need a second, real process. Each prints one line the test waits for.
return args switch
{
    ["hold-rocksdb", var path] => RocksDbCommands.Hold(path),
    ["open-rocksdb", var path] => RocksDbCommands.Probe(path),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: MwgActors.TestProcess hold-rocksdb <path> | open-rocksdb <path>");
    return 2;
}
