using StackExchange.Redis;

namespace MwgActors.LoadGen;

/// <summary>Says how durable the Redis baseline's writes are, from its appendonly/appendfsync/save settings.</summary>
internal static class RedisDurability
{
    public static async Task<string> DescribeAsync(IServer server)
    {
        var settings = (await server.ConfigGetAsync("*")).ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        var version = server.Version.ToString();
        var aof = settings.GetValueOrDefault("appendonly") == "yes"
            ? "appendonly yes, appendfsync " + settings.GetValueOrDefault("appendfsync", "?")
            : "appendonly no";
        var save = settings.GetValueOrDefault("save", string.Empty);
        return $"redis {version}, {aof}, save '{save}'";
    }
}
