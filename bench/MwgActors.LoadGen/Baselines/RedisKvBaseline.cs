using System.Globalization;
using StackExchange.Redis;

namespace MwgActors.LoadGen;

/// <summary>
/// The op mix against Redis: a get is one MGET of the batch, a put one MSET, a remove one DEL. Each client is
/// a ConnectionMultiplexer of its own (its own socket, like each of our websockets) and its <c>--inflight</c>
/// workers keep that many commands outstanding on it (pipelined). The database is flushed (FLUSHDB) first.
/// </summary>
internal sealed class RedisKvBaseline : IKvBaseline
{
    private readonly string _endpoint;
    private readonly string _durability;
    private int _clients;

    private RedisKvBaseline(string endpoint, string durability)
    {
        _endpoint = endpoint;
        _durability = durability;
    }

    public string Describe => string.Create(
        CultureInfo.InvariantCulture,
        $"Redis at {_endpoint} ({_durability}), MGET/MSET/DEL, one connection per client, in flight pipelined, FLUSHDB first");

    public bool Blocking => false;

    /// <summary>Connects once to read the server's persistence settings and empty the database.</summary>
    public static async Task<RedisKvBaseline> OpenAsync(string endpoint)
    {
        await using var admin = await RedisConnections.ConnectAsync(endpoint, "mwg-loadgen-admin");
        var server = admin.GetServers()[0];
        var durability = await RedisDurability.DescribeAsync(server);
        await server.FlushDatabaseAsync();
        return new RedisKvBaseline(endpoint, durability);
    }

    public async Task<IKvBaselineClient> ConnectAsync(CancellationToken cancellation)
    {
        var n = Interlocked.Increment(ref _clients);
        var multiplexer = await RedisConnections.ConnectAsync(_endpoint, "mwg-loadgen-" + n.ToString(CultureInfo.InvariantCulture));
        return new Client(multiplexer);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Client(ConnectionMultiplexer multiplexer) : IKvBaselineClient
    {
        private readonly IDatabase _db = multiplexer.GetDatabase();

        public async ValueTask ExecuteAsync(Op op, byte[][] keys, byte[] value)
        {
            var redisKeys = new RedisKey[keys.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                redisKeys[i] = keys[i];
            }

            switch (op)
            {
                case Op.Get:
                    _ = await _db.StringGetAsync(redisKeys);
                    break;
                case Op.Put:
                    var pairs = new KeyValuePair<RedisKey, RedisValue>[keys.Length];
                    for (var i = 0; i < keys.Length; i++)
                    {
                        pairs[i] = new KeyValuePair<RedisKey, RedisValue>(redisKeys[i], value);
                    }

                    if (!await _db.StringSetAsync(pairs))
                    {
                        throw new InvalidOperationException("MSET did not answer OK");
                    }

                    break;
                default:
                    _ = await _db.KeyDeleteAsync(redisKeys);
                    break;
            }
        }

        public ValueTask DisposeAsync() => multiplexer.DisposeAsync();
    }
}
