using System.Diagnostics;
using Npgsql;

namespace MwgActors.Cluster.Tests;

/// <summary>
/// The throwaway PostgreSQL of the multi-process tests, through the repository's .ci/setup-postgres.sh: it installs
/// Debian's postgresql when missing, starts a server on loopback if none runs, and creates a database. Each test gets
/// a database of its own, dropped afterwards.
/// </summary>
internal static class Postgres
{
    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var script = FindScript();
        var name = "mwg_test_" + Guid.NewGuid().ToString("N")[..12];
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(name);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not run bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (process.ExitCode != 0 || lines.Length == 0)
        {
            // Under CI=true .ci/run has run the same script before the build: reaching here means it cannot work.
            throw new InvalidOperationException(
                $"PostgreSQL is needed for the cluster failover tests and {script} failed (exit {process.ExitCode}, CI={Environment.GetEnvironmentVariable("CI") ?? "unset"}): {(await stderr).Trim()}");
        }

        return lines[^1].Trim();
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database!;
        builder.Database = "postgres";
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string FindScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var script = Path.Combine(folder.FullName, ".ci", "setup-postgres.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new InvalidOperationException($".ci/setup-postgres.sh not found above {AppContext.BaseDirectory}");
    }
}
