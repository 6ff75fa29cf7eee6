using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Client.Tests;

internal static class Fixtures
{
    public static MwgClientOptions Options(Uri uri) => new()
    {
        Url = uri,
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(byte[]? bytes) => bytes is null ? "<missing>" : Encoding.UTF8.GetString(bytes);

    public static KeyValue Pair(string key, string value) => new(Utf8(key), Utf8(value));

    /// <summary>The next event of a subscription, within a bound.</summary>
    public static async Task<SubscriptionEvent> NextAsync(this IAsyncEnumerator<SubscriptionEvent> events, TimeSpan? timeout = null)
    {
        var next = events.MoveNextAsync().AsTask();
        Assert.True(await next.WaitAsync(timeout ?? TimeSpan.FromSeconds(10)), "the subscription ended");
        return events.Current;
    }

    /// <summary>Completes when the client reaches <paramref name="state"/>.</summary>
    public static async Task WaitForStateAsync(this MwgClient client, ConnectionState state, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        await foreach (var now in client.WatchStateAsync(cts.Token))
        {
            if (now == state)
            {
                return;
            }
        }

        Assert.Fail($"the client closed before reaching {state}");
    }
}
