using MwgActors.Storage;
using MwgActors.Storage.RocksDb;

namespace MwgActors.TestProcess;

internal static class RocksDbCommands
{
    /// <summary>Opens the database, prints "ready", and keeps it open (and locked) until stdin closes.</summary>
    public static int Hold(string path)
    {
        RocksDbDatabase database;
        try
        {
            database = RocksDbDatabase.Acquire(new RocksDbSettings(path));
        }
        catch (StoreException ex)
        {
            return Report(ex);
        }

        try
        {
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            while (Console.In.Read() >= 0)
            {
                // Drain until the parent closes our stdin (or dies, which closes it too).
            }

            return 0;
        }
        finally
        {
            database.Release();
        }
    }

    /// <summary>Opens and closes the database; prints "ok" or "error Kind message".</summary>
    public static int Probe(string path)
    {
        try
        {
            RocksDbDatabase.Acquire(new RocksDbSettings(path)).Release();
            Console.Out.WriteLine("ok");
            return 0;
        }
        catch (StoreException ex)
        {
            return Report(ex);
        }
    }

    private static int Report(StoreException ex)
    {
        Console.Out.WriteLine($"error {ex.Kind} {ex.Message}");
        return 1;
    }
}
