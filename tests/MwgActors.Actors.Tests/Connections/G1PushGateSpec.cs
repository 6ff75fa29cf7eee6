using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Locks;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;
using static MwgActors.Actors.Connections.ConnectionProtocol;
using static MwgActors.Actors.Tests.Connections.RecordingOutput;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>
/// Issue 14, finding 9: the original client reads a type 5 push (no id) as a reply with id 0, so a G1 connection sends
/// no push while a request whose id reads as 0 is unanswered, nor before the client's first frame; the pushes held
/// go out in order right after the reply. Probes stand in for the lock, storage and subscription actors, so the race
/// of the real server (a write committed while the prefix request waits for the lock table) happens every time.
/// </summary>
public sealed class G1PushGateSpec : TestKit
{
    private readonly TestProbe _storage;
    private readonly TestProbe _subscriptions;
    private readonly TestProbe _locks;
    private readonly BinaryClientEncoder _encoder = new(Dialect.G1);
    private readonly BinaryClientDecoder _decoder = new(Dialect.G1);

    public G1PushGateSpec()
        : base("akka.loglevel = ERROR")
    {
        _storage = CreateTestProbe("storage");
        _subscriptions = CreateTestProbe("subscriptions");
        _locks = CreateTestProbe("locks");
    }

    [Fact]
    public async Task Pushes_should_wait_for_the_reply_to_the_prefix_request_with_id_0_then_follow_it_in_order()
    {
        var (connection, output, subscription) = await StartAsync();

        connection.Tell(new FrameReceived(_encoder.Encode(new Lock(Id(0)))));
        var acquire = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        Push(connection, subscription, "a", "1");
        Push(connection, subscription, "b", "2");
        await output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        _locks.Reply(new LockProtocol.PrefixGranted(3, "token", acquire.CorrelationId));

        Assert.Equal(new LockResult(Id(0), 3, null), await NextFrameAsync(output));
        Assert.Equal(("a", "1"), await NextPushAsync(output));
        Assert.Equal(("b", "2"), await NextPushAsync(output));

        // Nothing holds them any more.
        Push(connection, subscription, "c", "3");
        Assert.Equal(("c", "3"), await NextPushAsync(output));
    }

    [Theory]
    [InlineData("B")] // minus zero: the client decodes it as 0 too
    [InlineData("AA")]
    public async Task Any_id_the_client_reads_as_0_should_hold_the_pushes(string id)
    {
        var (connection, output, subscription) = await StartAsync();

        connection.Tell(new FrameReceived(_encoder.Encode(new Put(new RequestId(Encoding.ASCII.GetBytes(id)), [new KeyValue(Utf8("k"), Utf8("v"))]))));
        var write = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        Push(connection, subscription, "k", "v");
        await output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        _storage.Reply(new StorageProtocol.BatchCommitted(1, write.CorrelationId));

        Assert.IsType<PutResult>(await NextFrameAsync(output));
        Assert.Equal(("k", "v"), await NextPushAsync(output));
    }

    [Fact]
    public async Task Pushes_should_wait_for_the_first_frame_since_the_request_with_id_0_may_be_on_its_way()
    {
        var (connection, output, subscription) = await StartAsync();

        Push(connection, subscription, "early", "1");
        await output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));

        connection.Tell(new FrameReceived(_encoder.Encode(new Lock(Id(0)))));
        var acquire = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        await output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        _locks.Reply(new LockProtocol.PrefixGranted(0, "token", acquire.CorrelationId));

        Assert.Equal(new LockResult(Id(0), 0, null), await NextFrameAsync(output));
        Assert.Equal(("early", "1"), await NextPushAsync(output));
    }

    [Fact]
    public async Task A_request_whose_id_is_not_0_should_not_hold_the_pushes()
    {
        var (connection, output, subscription) = await StartAsync();

        connection.Tell(new FrameReceived(_encoder.Encode(new Get(Id(1), [Utf8("k")]))));
        await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        Push(connection, subscription, "k", "v");

        Assert.Equal(("k", "v"), await NextPushAsync(output));
    }

    [Fact]
    public async Task Held_pushes_over_the_outbound_bound_should_close_as_any_G1_overflow()
    {
        var (connection, output, subscription) = await StartAsync("mwg.connection.outbound-max-frames = 2");
        Watch(connection);

        connection.Tell(new FrameReceived(_encoder.Encode(new Lock(Id(0)))));
        await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        Push(connection, subscription, "a", "1");
        Push(connection, subscription, "b", "2");
        Push(connection, subscription, "c", "3");

        Assert.Equal(CloseCodes.PolicyViolation, (await output.ExpectMsgAsync<Closed>()).Code);
        await ExpectTerminatedAsync(connection);
    }

    private async Task<(IActorRef Connection, TestProbe Output, long Subscription)> StartAsync(string hocon = "")
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("mwg.connection.g1-push-puts = on\n" + hocon));
        var settings = ConnectionSettings.Create(config);
        var output = CreateTestProbe();
        var actor = Sys.ActorOf(ConnectionActor.Props(
            settings,
            new ServerCodec(Dialect.G1, settings.Limits),
            new RecordingOutput(output.Ref),
            new ConnectionRefs(_storage.Ref, _subscriptions.Ref, _locks.Ref)));
        await _storage.ExpectMsgAsync<StorageProtocol.GetReaders>();
        var subscribe = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        return (actor, output, subscribe.SubscriptionId);
    }

    private static void Push(IActorRef connection, long subscription, string key, string value) =>
        connection.Tell(new SubscriptionProtocol.SubscribedKeysChanged(subscription, 1, [new Change(Utf8(key), false, Utf8(value))]));

    private async Task<ProtocolMessage> NextFrameAsync(TestProbe output)
    {
        // Completed marks a freed request slot; only frames matter here.
        while (true)
        {
            switch (await output.ReceiveOneAsync(TimeSpan.FromSeconds(10)))
            {
                case Sent sent:
                    return _decoder.Decode(sent.Frame);
                case Completed:
                    continue;
                case var other:
                    throw new InvalidOperationException($"unexpected {other}");
            }
        }
    }

    private async Task<(string Key, string Value)> NextPushAsync(TestProbe output)
    {
        var pair = Assert.Single(Assert.IsType<ReloadPairs>(await NextFrameAsync(output)).Pairs);
        return (Encoding.UTF8.GetString(pair.Key), Encoding.UTF8.GetString(pair.Value));
    }

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
