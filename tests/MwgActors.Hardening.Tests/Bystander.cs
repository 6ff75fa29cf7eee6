using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// A client with every right on <c>bob/</c> that puts a key and reads it back, in a loop, while others attack the
/// server. It keeps every acknowledged put (key, last acknowledged value). The first failure stops the loop and is
/// kept: an error reply of any code, a wrong value, the connection closed, or no answer within <see cref="Bound"/>.
/// </summary>
internal sealed class Bystander : IAsyncDisposable
{
    public const string Prefix = "bob/";
    private const int Keys = 16;

    /// <summary>Generous: the server may be busy refusing attackers on a loaded 2-core machine, but never stuck.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ProtocolClient _client;
    private readonly Dictionary<string, string> _acknowledged = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _progress = NewProgress();
    private Task _loop = Task.CompletedTask;
    private volatile string? _failure;
    private int _roundTrips;
    private int _disposed;

    private Bystander(ProtocolClient client) => _client = client;

    /// <summary>Round trips (a put and its read-back) completed so far.</summary>
    public int RoundTrips => Volatile.Read(ref _roundTrips);

    public static async Task<Bystander> StartAsync(Uri uri, string token)
    {
        var client = await ProtocolClient.ConnectAsync(uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + token));
        var bystander = new Bystander(client);
        bystander._loop = Task.Run(bystander.RunAsync);
        return bystander;
    }

    /// <summary>Fails with the loop's first failure, if any.</summary>
    public void AssertHealthy() => Assert.True(_failure is null, "bystander: " + _failure);

    /// <summary>Completes after <paramref name="count"/> more round trips; fails if the loop failed or one took longer than the bound.</summary>
    public async Task AwaitRoundTripsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            AssertHealthy();
            var next = Volatile.Read(ref _progress).Task;
            try
            {
                await next.WaitAsync(Bound);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"bystander: no round trip completed within {Bound.TotalSeconds:0} s (after {RoundTrips})");
            }
            catch (InvalidOperationException)
            {
                AssertHealthy();
            }
        }
    }

    /// <summary>Stops the loop after its current round trip and fails if it had failed.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        AssertHealthy();
    }

    /// <summary>Reads every acknowledged key back on a new connection: each must hold its last acknowledged value.</summary>
    public async Task VerifyAcknowledgedAsync(Uri uri, string token)
    {
        Assert.NotEmpty(_acknowledged);
        await using var reader = await ProtocolClient.ConnectAsync(uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + token));
        var keys = _acknowledged.Keys.ToArray();
        var read = Assert.IsType<GetResult>(await reader.SendAsync(new Get(reader.NextId(), [.. keys.Select(Utf8)]), Bound));
        for (var i = 0; i < keys.Length; i++)
        {
            var value = read.Values[i] is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
            Assert.True(value == _acknowledged[keys[i]], $"bystander: {keys[i]} was acknowledged as {_acknowledged[keys[i]]} but reads {value ?? "(absent)"}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
        await _client.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var key = Prefix + (i % Keys);
            var value = "b" + i;
            var put = await RoundTripAsync(new Put(_client.NextId(), [new KeyValue(Utf8(key), Utf8(value))]), $"put {key}");
            if (put is not PutResult { Ok: true })
            {
                Fail(put is null ? null : $"put {key} answered {Describe(put)}");
                return;
            }

            _acknowledged[key] = value;
            var get = await RoundTripAsync(new Get(_client.NextId(), [Utf8(key)]), $"get {key}");
            if (get is not GetResult { Values: [{ } got] } || Encoding.UTF8.GetString(got) != value)
            {
                Fail(get is null ? null : $"get {key} after putting {value} answered {Describe(get)}");
                return;
            }

            Interlocked.Increment(ref _roundTrips);
            Interlocked.Exchange(ref _progress, NewProgress()).TrySetResult();
        }
    }

    /// <summary>The reply, or null after recording why there was none.</summary>
    private async Task<Reply?> RoundTripAsync(Request request, string what)
    {
        var reply = _client.SendAsync(request, Bound);
        try
        {
            await Task.WhenAny(reply, _client.Closed).WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            Fail($"{what}: no answer within {Bound.TotalSeconds:0} s");
            return null;
        }

        if (reply.IsCompletedSuccessfully)
        {
            return reply.Result;
        }

        Fail(reply.IsFaulted ? $"{what}: {reply.Exception!.InnerException!.GetType().Name} (connection lost)" : $"{what}: the server closed the connection ({_client.CloseStatus})");
        return null;
    }

    private void Fail(string? reason)
    {
        if (reason is not null)
        {
            _failure ??= $"{reason}, after {RoundTrips} good round trips";
        }

        // Wakes a waiter, who then reads the failure.
        Volatile.Read(ref _progress).TrySetException(new InvalidOperationException(_failure));
    }

    private static string Describe(Reply reply) => reply switch
    {
        Error error => $"error {error.Code}",
        GetResult get => $"{get.Values.Count} values",
        _ => reply.GetType().Name,
    };

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
