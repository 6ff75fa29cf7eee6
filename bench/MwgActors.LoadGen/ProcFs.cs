using System.Globalization;

namespace MwgActors.LoadGen;

/// <summary>A process's memory as Linux reports it, in bytes; the smaps_rollup figures are null where it is missing.</summary>
internal sealed record ProcessMemory(long Rss, long? Private, long? Anonymous);

/// <summary>
/// Reads what the <c>connections</c> scenario needs from Linux's /proc: a process's resident memory, its open-files
/// limit, and which process listens on a TCP port (socket inode in /proc/net/tcp{,6}, then the /proc/PID/fd link
/// that points at it). Everything here returns null off Linux or when /proc refuses.
/// </summary>
internal static class ProcFs
{
    private const string Listen = "0A";

    /// <summary>VmRSS from /proc/PID/status, and Private_* and Anonymous from /proc/PID/smaps_rollup when it exists.</summary>
    public static ProcessMemory? ReadMemory(int pid)
    {
        var status = ReadKiB($"/proc/{pid}/status", "VmRSS");
        if (status.Count == 0)
        {
            return null;
        }

        var rollup = ReadKiB($"/proc/{pid}/smaps_rollup", "Private_Clean", "Private_Dirty", "Anonymous");
        long? privateBytes = rollup.TryGetValue("Private_Clean", out var clean) && rollup.TryGetValue("Private_Dirty", out var dirty) ? clean + dirty : null;
        long? anonymous = rollup.TryGetValue("Anonymous", out var anon) ? anon : null;
        return new ProcessMemory(status["VmRSS"], privateBytes, anonymous);
    }

    /// <summary>The soft "Max open files" of a process (<c>self</c> or a pid); null when unlimited or unreadable.</summary>
    public static long? OpenFilesLimit(string pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not ours to read.
        }

        return null;
    }

    /// <summary>The processes that hold a listening TCP socket on <paramref name="port"/> (IPv4 or IPv6).</summary>
    public static IReadOnlyList<int> FindListeners(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            try
            {
                foreach (var line in File.ReadLines(table).Skip(1))
                {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length > 9 && fields[3] == Listen && PortOf(fields[1]) == port)
                    {
                        inodes.Add($"socket:[{fields[9]}]");
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // No such table (IPv6 off, or not Linux).
            }
        }

        var pids = new List<int>();
        if (inodes.Count == 0)
        {
            return pids;
        }

        foreach (var process in SafeEnumerate("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            foreach (var fd in SafeEnumerate(Path.Combine(process, "fd")))
            {
                string? target;
                try
                {
                    target = new FileInfo(fd).LinkTarget;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue; // closed meanwhile, or not ours
                }

                if (target is not null && inodes.Contains(target))
                {
                    pids.Add(pid);
                    break;
                }
            }
        }

        return pids;
    }

    private static int PortOf(string address)
    {
        // "0100007F:1D49": the address, then the port in hexadecimal.
        var colon = address.LastIndexOf(':');
        return int.TryParse(address.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port) ? port : -1;
    }

    private static string[] SafeEnumerate(string folder)
    {
        try
        {
            return Directory.GetFileSystemEntries(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static Dictionary<string, long> ReadKiB(string path, params string[] names)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || Array.IndexOf(names, line[..colon]) < 0)
                {
                    continue;
                }

                // "VmRSS:	  123456 kB"
                var number = line[(colon + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                if (long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                {
                    values[line[..colon]] = kib * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone, not Linux, or not ours to read.
        }

        return values;
    }
}
