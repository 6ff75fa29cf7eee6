using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// An extended client that subscribes to its own prefix and writes, reads and pings in a loop while others misbehave.
/// It checks every reply as it comes; at the end, that its writes had contiguous revisions (it is the only writer:
/// the fuzzers' frames are all refused) and that it was notified of each one, in order, with the right changes.
/// </summary>
internal sealed class WellBehavedClient : IAsyncDisposable
{
    private const string Prefix = "wb/";
    private const int Keys = 32;

    private readonly ProtocolClient _client;
    private readonly long _subscriptionId;
    private readonly long _startRevision;
    private readonly List<(long Revision, Change Change)> _writes = [];
    private readonly Dictionary<string, string?> _model = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    private WellBehavedClient(ProtocolClient client, long subscriptionId, long startRevision)
    {
        _client = client;
        _subscriptionId = subscriptionId;
        _startRevision = startRevision;
    }

    public int Acknowledged => _writes.Count;

    public int Requests { get; private set; }

    public static async Task<WellBehavedClient> StartAsync(Uri uri)
    {
        var client = await ProtocolClient.ConnectAsync(uri);
        var subscribed = Assert.IsType<Subscribed>(await client.SendAsync(new Subscribe(client.NextId(), [Utf8(Prefix)], null, IncludeValues: true)));
        var wellBehaved = new WellBehavedClient(client, subscribed.SubscriptionId, subscribed.CurrentRevision);
        wellBehaved._loop = Task.Run(wellBehaved.RunAsync);
        return wellBehaved;
    }

    /// <summary>Stops the loop (rethrowing what it found) and checks the notifications against the acknowledged writes.</summary>
    public async Task StopAndVerifyAsync()
    {
        await _stop.CancelAsync();
        await _loop;

        var expected = _startRevision;
        foreach (var (revision, change) in _writes)
        {
            Assert.Equal(++expected, revision);
            var notification = await _client.NextPushAsync(TimeSpan.FromSeconds(15));
            var notified = Assert.IsType<ChangeNotification>(notification);
            Assert.Equal(_subscriptionId, notified.SubscriptionId);
            Assert.Equal(revision, notified.Revision);
            var only = Assert.Single(notified.Changes);
            Assert.Equal(Text(change.Key), Text(only.Key));
            Assert.Equal(change.Removed, only.Removed);
            Assert.Equal(change.Value is null ? null : Text(change.Value), only.Value is null ? null : Text(only.Value));
        }

        // Nothing more (no reload: its queue never overflowed), and it still answers.
        Assert.IsType<Pong>(await _client.SendAsync(new Ping(_client.NextId())));
        Assert.False(_client.Pushes.TryRead(out var extra), $"unexpected push {extra}");
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
            Requests++;
            switch (i % 4)
            {
                case 0 or 1:
                    var value = "v" + i;
                    var put = Assert.IsType<PutResult>(await _client.SendAsync(new Put(_client.NextId(), [new KeyValue(Utf8(key), Utf8(value))])));
                    Assert.True(put.Ok);
                    _writes.Add((put.Revision!.Value, new Change(Utf8(key), false, Utf8(value))));
                    _model[key] = value;
                    break;
                case 2:
                    var removed = Prefix + ((i / 4) % Keys);
                    var remove = Assert.IsType<RemoveResult>(await _client.SendAsync(new Remove(_client.NextId(), [Utf8(removed)])));
                    Assert.True(remove.Ok);
                    if (_model.GetValueOrDefault(removed) is not null)
                    {
                        // A remove of an absent key changes nothing: no revision, no notification (as etcd).
                        _writes.Add((remove.Revision!.Value, new Change(Utf8(removed), true, null)));
                    }

                    _model[removed] = null;
                    break;
                default:
                    var read = Prefix + ((i * 7) % Keys);
                    var get = Assert.IsType<GetResult>(await _client.SendAsync(new Get(_client.NextId(), [Utf8(read)])));
                    var got = Assert.Single(get.Values);
                    Assert.Equal(_model.GetValueOrDefault(read), got is null ? null : Text(got));
                    Assert.IsType<Pong>(await _client.SendAsync(new Ping(_client.NextId())));
                    break;
            }
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
