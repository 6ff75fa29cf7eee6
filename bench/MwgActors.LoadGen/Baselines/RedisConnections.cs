using StackExchange.Redis;

namespace MwgActors.LoadGen;

/// <summary>Opens StackExchange.Redis multiplexers to <c>--redis</c>, turning "nothing there" into a message.</summary>
internal static class RedisConnections
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(string endpoint, string name)
    {
        var (host, port) = BaselineKinds.RedisEndpoint(endpoint);
        var configuration = new ConfigurationOptions
        {
            EndPoints = { { host, port } },
            ClientName = name,
            // FLUSHDB before the preload is an admin command.
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
            // A run of 16 in flight on 2 shared cores can queue for a while; a timeout would be a false error.
            AsyncTimeout = 60_000,
            SyncTimeout = 60_000,
        };
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        catch (RedisConnectionException ex)
        {
            throw new InvalidOperationException($"no Redis at {endpoint} ({ex.FailureType}); bench/scripts/redis.sh starts one", ex);
        }
    }
}
