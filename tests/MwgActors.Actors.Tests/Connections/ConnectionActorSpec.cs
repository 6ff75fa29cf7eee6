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
using MwgActors.Storage;
using MwgActors.Storage.Memory;
using static MwgActors.Actors.Connections.ConnectionProtocol;
using static MwgActors.Actors.Tests.Connections.RecordingOutput;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>
/// A connection actor between a <see cref="RecordingOutput"/> (its socket) and probes standing in for the storage,
/// lock and subscription actors. Frames are built and read with the client side of the shared codec.
/// </summary>
public sealed class ConnectionActorSpec : TestKit
{
    private static readonly byte[] UnknownTypeFrame = [(byte)'#', 0x7F, (byte)'A'];

    private readonly TestProbe _storage;
    private readonly TestProbe _subscriptions;
    private readonly TestProbe _locks;

    public ConnectionActorSpec()
        : base("akka.loglevel = ERROR")
    {
        _storage = CreateTestProbe("storage");
        _subscriptions = CreateTestProbe("subscriptions");
        _locks = CreateTestProbe("locks");
    }

    [Fact]
    public async Task An_extended_connection_should_greet_with_a_hello_carrying_the_limits()
    {
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.server-id = node-7", expectHello: false);

        var hello = Assert.IsType<Hello>(await connection.NextFrameAsync());
        Assert.Equal(new Hello(Subprotocols.Version, "node-7", ProtocolLimits.Default), hello);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'#', 0x7F, (byte)'A' }, ErrorCode.UnknownType)]
    [InlineData(new byte[] { (byte)'k', (byte)'#', FrameType.Get, (byte)'!' }, ErrorCode.BadFrame)]
    [InlineData(new byte[] { (byte)'#' }, ErrorCode.BadFrame)]
    public async Task A_bad_frame_in_the_extended_dialect_should_answer_an_error_with_its_code_and_keep_the_connection(byte[] frame, ErrorCode code)
    {
        var connection = await StartAsync(Dialect.Extended);

        connection.Send(frame);

        var error = Assert.IsType<Error>(await connection.NextFrameAsync());
        Assert.Equal(code, error.Code);
        await connection.ExpectCompletedAsync();

        connection.Send(new Ping(Id(2)));
        Assert.Equal(new Pong(Id(2)), await connection.NextFrameAsync());
    }

    [Fact]
    public async Task A_bad_frame_in_G1_should_close_with_1002()
    {
        var connection = await StartAsync(Dialect.G1);
        Watch(connection.Actor);

        connection.Send(UnknownTypeFrame);

        Assert.Equal(CloseCodes.ProtocolError, (await connection.Output.ExpectMsgAsync<Closed>()).Code);
        await ExpectTerminatedAsync(connection.Actor);
    }

    [Fact]
    public async Task Requests_should_reach_the_storage_with_correlation_ids_and_replies_find_their_request()
    {
        var connection = await StartAsync(Dialect.Extended);

        connection.Send(new Get(Id(1), [Utf8("a")]));
        connection.Send(new Put(Id(2), [new KeyValue(Utf8("b"), Utf8("2"))]));
        var read = await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        var write = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        Assert.NotEqual(read.CorrelationId, write.CorrelationId);

        // Replies come back out of order (reads are served by a pool).
        connection.Actor.Tell(new StorageProtocol.BatchCommitted(5, write.CorrelationId));
        connection.Actor.Tell(new StorageProtocol.KeysRead([Utf8("1")], 4, read.CorrelationId));

        Assert.Equal(new PutResult(Id(2), true, 5), await connection.NextFrameAsync());
        await connection.ExpectCompletedAsync();
        var get = Assert.IsType<GetResult>(await connection.NextFrameAsync());
        Assert.Equal(Id(1), get.Id);
        Assert.Equal("1", Encoding.UTF8.GetString(Assert.Single(get.Values)!));
        await connection.ExpectCompletedAsync();
    }

    [Theory]
    [InlineData(false, ErrorCode.Internal)]
    [InlineData(true, ErrorCode.Unavailable)]
    public async Task A_storage_failure_should_answer_an_error_in_the_extended_dialect(bool retryable, ErrorCode code)
    {
        var connection = await StartAsync(Dialect.Extended);

        connection.Send(new Put(Id(1), [new KeyValue(Utf8("a"), Utf8("1"))]));
        var write = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        _storage.Reply(new StorageProtocol.StorageFailed(StorageFailure.WriteFailed, retryable, write.CorrelationId));

        var error = Assert.IsType<Error>(await connection.NextFrameAsync());
        Assert.Equal((Id(1), code), (error.Id, error.Code));
        await connection.ExpectCompletedAsync();
    }

    [Fact]
    public async Task A_storage_failure_should_answer_false_to_a_G1_put_or_remove()
    {
        var connection = await StartAsync(Dialect.G1);

        connection.Send(new Put(Id(1), [new KeyValue(Utf8("a"), Utf8("1"))]));
        var put = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        _storage.Reply(new StorageProtocol.StorageFailed(StorageFailure.WriteFailed, false, put.CorrelationId));
        Assert.Equal(new PutResult(Id(1), false), await connection.NextFrameAsync());
        await connection.ExpectCompletedAsync();

        connection.Send(new Remove(Id(2), [Utf8("a")]));
        var remove = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        _storage.Reply(new StorageProtocol.StorageFailed(StorageFailure.Unavailable, true, remove.CorrelationId));
        Assert.Equal(new RemoveResult(Id(2), false), await connection.NextFrameAsync());
        await connection.ExpectCompletedAsync();
    }

    [Fact]
    public async Task A_request_not_answered_in_time_should_get_a_timeout_error_and_its_late_reply_be_dropped()
    {
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.request-timeout = 200ms");

        connection.Send(new Get(Id(1), [Utf8("a")]));
        var read = await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();

        var error = Assert.IsType<Error>(await connection.NextFrameAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((Id(1), ErrorCode.Timeout), (error.Id, error.Code));
        await connection.ExpectCompletedAsync();

        connection.Actor.Tell(new StorageProtocol.KeysRead([Utf8("late")], 1, read.CorrelationId));
        connection.Send(new Ping(Id(2)));
        Assert.Equal(new Pong(Id(2)), await connection.NextFrameAsync());
    }

    [Fact]
    public async Task A_request_not_answered_in_time_should_close_a_G1_connection_with_1011()
    {
        var connection = await StartAsync(Dialect.G1, "mwg.connection.request-timeout = 200ms");
        Watch(connection.Actor);

        connection.Send(new Get(Id(1), [Utf8("a")]));
        await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();

        Assert.Equal(CloseCodes.InternalError, (await connection.Output.ExpectMsgAsync<Closed>(TimeSpan.FromSeconds(5))).Code);
        await ExpectTerminatedAsync(connection.Actor);
    }

    [Fact]
    public async Task Lock_replies_answered_out_of_order_should_each_find_their_own_request()
    {
        var connection = await StartAsync(Dialect.Extended);

        connection.Send(new Lock(Id(1)));
        connection.Send(new Unlock(Id(2), 5, Utf8("token-5")));
        var acquire = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        var release = await _locks.ExpectMsgAsync<LockProtocol.ReleasePrefix>();
        Assert.NotEqual(acquire.CorrelationId, release.CorrelationId);

        // The release is answered first: it must not be taken for the answer to the lock sent before it.
        _locks.Reply(new LockProtocol.PrefixReleased(5, release.CorrelationId));
        _locks.Reply(new LockProtocol.PrefixGranted(3, "token-3", acquire.CorrelationId));

        Assert.Equal(new UnlockResult(Id(2)), await connection.NextFrameAsync());
        await connection.ExpectCompletedAsync();
        var granted = Assert.IsType<LockResult>(await connection.NextFrameAsync());
        Assert.Equal((Id(1), 3, "token-3"), (granted.Id, granted.Prefix, Encoding.UTF8.GetString(granted.LeaseToken!)));
        await connection.ExpectCompletedAsync();
    }

    [Fact]
    public async Task A_lost_lock_reply_should_time_out_its_own_request_only_and_a_late_one_be_dropped()
    {
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.request-timeout = 1s");

        connection.Send(new Lock(Id(1)));
        var lost = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        connection.Send(new Lock(Id(2)));
        var answered = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();

        // The first reply is lost; the second request gets its own answer, not the first one's.
        _locks.Reply(new LockProtocol.PrefixRefused(LockRefusal.NoFreePrefix, answered.CorrelationId));
        var refused = Assert.IsType<Error>(await connection.NextFrameAsync());
        Assert.Equal((Id(2), ErrorCode.NoFreePrefix), (refused.Id, refused.Code));
        await connection.ExpectCompletedAsync();

        var timedOut = Assert.IsType<Error>(await connection.NextFrameAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((Id(1), ErrorCode.Timeout), (timedOut.Id, timedOut.Code));
        await connection.ExpectCompletedAsync();

        // The lost reply turns up late: nothing waits for it, and the next request is answered by its own reply.
        connection.Actor.Tell(new LockProtocol.PrefixGranted(0, "late", lost.CorrelationId));
        connection.Send(new Lock(Id(3)));
        var next = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        _locks.Reply(new LockProtocol.PrefixGranted(1, "next", next.CorrelationId));
        var granted = Assert.IsType<LockResult>(await connection.NextFrameAsync());
        Assert.Equal((Id(3), 1), (granted.Id, granted.Prefix));
    }

    [Fact]
    public async Task Subscribing_past_the_limit_should_answer_TooManySubscriptions()
    {
        var connection = await StartAsync(Dialect.Extended, "mwg.protocol.max-subscriptions-per-connection = 2");

        for (var i = 1; i <= 3; i++)
        {
            connection.Send(new Subscribe(Id(i), [Utf8("k/")], null, true));
        }

        var first = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        var error = Assert.IsType<Error>(await connection.NextFrameAsync());
        Assert.Equal((Id(3), ErrorCode.TooManySubscriptions), (error.Id, error.Code));
        await connection.ExpectCompletedAsync();
        await _subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Actor.Tell(new SubscriptionProtocol.SubscriptionOpened(first.SubscriptionId, 9), _subscriptions.Ref);
        Assert.Equal(new Subscribed(Id(1), first.SubscriptionId, 9), await connection.NextFrameAsync());
    }

    [Fact]
    public async Task An_overflow_under_the_reload_policy_should_clear_the_queue_and_send_ReloadAll_per_subscription()
    {
        // Room for the hello, the two Subscribed replies and one notification, then the queue is full.
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.outbound-overflow = reload", capacityFrames: 4);
        var ids = await SubscribeAsync(connection, 2);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(ids[0], 1, [new Change(Utf8("k/1"), false, Utf8("1"))]));
        Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());

        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(ids[1], 2, [new Change(Utf8("k/2"), false, Utf8("2"))]));

        await connection.Output.ExpectMsgAsync<Cleared>();
        var reloads = new[] { await connection.NextFrameAsync(), await connection.NextFrameAsync() };
        Assert.Equal(ids.Order(), reloads.Cast<ReloadAll>().Select(r => r.SubscriptionId).Order());

        // Once the client reads what is queued, the connection carries on.
        connection.Recording.Drain();
        connection.Send(new Ping(Id(9)));
        Assert.Equal(new Pong(Id(9)), await connection.NextFrameAsync());
    }

    [Fact]
    public async Task Reads_should_go_to_the_reader_pool_once_known_and_back_through_storage_when_it_stops()
    {
        var connection = await StartAsync(Dialect.Extended);
        var pool = CreateTestProbe();
        connection.Actor.Tell(new StorageProtocol.Readers(pool.Ref), _storage.Ref);

        connection.Send(new Get(Id(1), [Utf8("a")]));
        var read = await pool.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        pool.Reply(new StorageProtocol.KeysRead([Utf8("1")], 1, read.CorrelationId));
        Assert.Equal(Id(1), Assert.IsType<GetResult>(await connection.NextFrameAsync()).Id);

        // The pool dies with a restarting storage actor: reads fall back to the storage actor, which asks anew.
        Watch(pool.Ref);
        Sys.Stop(pool.Ref);
        await ExpectTerminatedAsync(pool.Ref);
        await AwaitAssertAsync(async () =>
        {
            connection.Send(new Get(Id(2), [Utf8("b")]));
            var fallback = await _storage.FishForMessageAsync(m => m is StorageProtocol.ReadKeys, TimeSpan.FromMilliseconds(500));
            _storage.Reply(new StorageProtocol.KeysRead([null], 2, ((StorageProtocol.ReadKeys)fallback).CorrelationId));
        });
        await _storage.FishForMessageAsync(m => m is StorageProtocol.GetReaders, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Gets_should_be_read_from_a_local_view_in_process_and_go_to_the_pool_once_it_closes()
    {
        var connection = await StartAsync(Dialect.Extended);
        var pool = CreateTestProbe();
        var store = new InMemoryKeyValueStore();
        store.Write(new KeyValueBatch([new BatchOperation(Utf8("a"), Utf8("1"))]));
        var view = new SharedView(store);
        connection.Actor.Tell(new StorageProtocol.Readers(pool.Ref, view), _storage.Ref);

        connection.Send(new Get(Id(1), [Utf8("a"), Utf8("missing")]));
        var inline = Assert.IsType<GetResult>(await connection.NextFrameAsync());
        Assert.Equal(Id(1), inline.Id);
        Assert.Equal([Utf8("1"), null], inline.Values);
        await connection.ExpectCompletedAsync();
        await pool.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        // The storage actor closed the view (it is stopping): the get goes to the pool instead, and is answered.
        view.Close();
        connection.Send(new Get(Id(2), [Utf8("a")]));
        var read = await pool.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        pool.Reply(new StorageProtocol.KeysRead([Utf8("2")], 2, read.CorrelationId));
        var pooled = Assert.IsType<GetResult>(await connection.NextFrameAsync());
        Assert.Equal([Utf8("2")], pooled.Values);
    }

    [Fact]
    public async Task A_replay_chunk_should_be_continued_only_once_the_outbound_queue_is_down_to_a_quarter()
    {
        // Bound of 8 frames: the next chunk waits while more than 2 are queued.
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.outbound-max-frames = 8");
        connection.Send(new Subscribe(Id(1), [Utf8("k/")], 0, true));
        var subscribe = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        Assert.True(subscribe.PacedReplay);
        Assert.Equal(4, subscribe.MaxReplayChunk); // half the queue

        // Room: the connection continues at once, answering whoever sent the chunk.
        connection.Actor.Tell(new SubscriptionProtocol.ReplayChunkSent(subscribe.SubscriptionId, 7), _subscriptions.Ref);
        Assert.Equal(new SubscriptionProtocol.ContinueReplay(7), await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.ContinueReplay>());

        // Three replayed notifications still queued (with the hello): no room until the client reads them.
        for (var revision = 1; revision <= 3; revision++)
        {
            connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(subscribe.SubscriptionId, revision, [new Change(Utf8($"k/{revision}"), false, Utf8("v"))]));
            Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());
        }

        connection.Actor.Tell(new SubscriptionProtocol.ReplayChunkSent(subscribe.SubscriptionId, 8), _subscriptions.Ref);
        await _subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        connection.Recording.Drain();
        Assert.Equal(new SubscriptionProtocol.ContinueReplay(8), await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.ContinueReplay>());
    }

    [Fact]
    public async Task An_overflow_during_a_replay_should_send_reload_all_right_after_the_subscribe_reply()
    {
        // Room for the hello and two notifications; the third replayed one overflows.
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.outbound-overflow = reload", capacityFrames: 3);
        connection.Send(new Subscribe(Id(1), [Utf8("k/")], 0, true));
        var subscribe = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        for (var revision = 1; revision <= 3; revision++)
        {
            connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(subscribe.SubscriptionId, revision, [new Change(Utf8($"k/{revision}"), false, Utf8("v"))]));
        }

        Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());
        Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());
        await connection.Output.ExpectMsgAsync<Cleared>();

        // The client learns the id from the reply, then that what it was replayed is incomplete.
        connection.Recording.Drain();
        _subscriptions.Reply(new SubscriptionProtocol.SubscriptionOpened(subscribe.SubscriptionId, 3));
        var reply = Assert.IsType<Subscribed>(await connection.NextFrameAsync());
        await connection.ExpectCompletedAsync();
        Assert.Equal(new ReloadAll(reply.SubscriptionId), await connection.NextFrameAsync());
    }

    [Fact]
    public async Task An_overflow_under_the_reload_policy_should_keep_the_reply_that_did_not_fit()
    {
        // Room for the hello, the Subscribed reply and one notification; then the reply to a get overflows.
        var connection = await StartAsync(Dialect.Extended, "mwg.connection.outbound-overflow = reload", capacityFrames: 3);
        var ids = await SubscribeAsync(connection, 1);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(ids[0], 1, [new Change(Utf8("k/1"), false, Utf8("1"))]));
        Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());

        connection.Send(new Get(Id(7), [Utf8("a")]));
        var read = await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        _storage.Reply(new StorageProtocol.KeysRead([Utf8("1")], 1, read.CorrelationId));

        // The notifications go, the reload signal and the reply are queued: the request is answered.
        await connection.Output.ExpectMsgAsync<Cleared>();
        Assert.Equal(new ReloadAll(ids[0]), await connection.NextFrameAsync());
        var reply = Assert.IsType<GetResult>(await connection.NextFrameAsync());
        Assert.Equal(Id(7), reply.Id);
    }

    [Theory]
    [InlineData(Dialect.Extended, "close")]
    [InlineData(Dialect.G1, "close")]
    [InlineData(Dialect.G1, "reload")]
    public async Task An_overflow_under_the_close_policy_or_in_G1_should_close_with_1008(Dialect dialect, string policy)
    {
        var connection = await StartAsync(dialect, $"mwg.connection.outbound-overflow = {policy}", capacityFrames: dialect == Dialect.G1 ? 0 : 1);
        Watch(connection.Actor);

        connection.Send(new Get(Id(1), [Utf8("a")]));
        var read = await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        _storage.Reply(new StorageProtocol.KeysRead([Utf8("1")], 1, read.CorrelationId));

        Assert.Equal(CloseCodes.PolicyViolation, (await connection.Output.ExpectMsgAsync<Closed>()).Code);
        await ExpectTerminatedAsync(connection.Actor);
    }

    [Fact]
    public async Task A_G1_connection_should_get_every_committed_put_as_a_type_5_push()
    {
        var connection = await StartAsync(Dialect.G1, "mwg.connection.g1-push-puts = on");
        var subscribe = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        Assert.Equal(connection.Actor, subscribe.Subscriber);

        // Pushes wait for the client's first frame (G1PushGateSpec); this one's id is 1.
        connection.Send(new Get(Id(1), [Utf8("x")]));

        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(subscribe.SubscriptionId, 3, [
            new Change(Utf8("a"), false, Utf8("1")),
            new Change(Utf8("gone"), true, null),
        ]));

        var push = Assert.IsType<ReloadPairs>(await connection.NextFrameAsync());
        var pair = Assert.Single(push.Pairs);
        Assert.Equal(("a", "1"), (Encoding.UTF8.GetString(pair.Key), Encoding.UTF8.GetString(pair.Value)));
    }

    [Fact]
    public async Task Every_request_should_free_exactly_one_slot()
    {
        var connection = await StartAsync(
            Dialect.Extended,
            "mwg.connection.request-timeout = 200ms\nmwg.protocol.max-subscriptions-per-connection = 1");

        connection.Send(new Get(Id(1), [Utf8("a")]));
        var read = await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        _storage.Reply(new StorageProtocol.KeysRead([null], 0, read.CorrelationId));

        connection.Send(new Put(Id(2), [new KeyValue(Utf8("a"), Utf8("1"))]));
        var put = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        _storage.Reply(new StorageProtocol.StorageFailed(StorageFailure.WriteFailed, false, put.CorrelationId));

        connection.Send(new Remove(Id(3), [Utf8("a")]));
        await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>(); // never answered: times out

        connection.Send(new Ping(Id(4)));
        connection.Send(UnknownTypeFrame); // its id, "A", is 0

        connection.Send(new Lock(Id(5)));
        var acquire = await _locks.ExpectMsgAsync<LockProtocol.AcquirePrefix>();
        _locks.Reply(new LockProtocol.PrefixGranted(7, "token", acquire.CorrelationId));
        connection.Send(new Unlock(Id(6), 7, Utf8("wrong")));
        var release = await _locks.ExpectMsgAsync<LockProtocol.ReleasePrefix>();
        _locks.Reply(new LockProtocol.PrefixRefused(LockRefusal.InvalidLeaseToken, release.CorrelationId));

        connection.Send(new Subscribe(Id(7), [Utf8("k/")], null, false));
        var subscribe = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        _subscriptions.Reply(new SubscriptionProtocol.SubscriptionOpened(subscribe.SubscriptionId, 0));
        connection.Send(new Subscribe(Id(8), [Utf8("k/")], null, false)); // over the limit
        connection.Send(new Unsubscribe(Id(9), 999)); // unknown
        connection.Send(new Unsubscribe(Id(10), subscribe.SubscriptionId));
        await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.CloseSubscription>();
        _subscriptions.Reply(new SubscriptionProtocol.SubscriptionClosed(subscribe.SubscriptionId));

        // Pushes take no slot.
        connection.Actor.Tell(new SubscriptionProtocol.ResumeTooOld(subscribe.SubscriptionId, 3));

        var answered = new HashSet<RequestId>();
        var completed = 0;
        while (completed < 11)
        {
            switch (await connection.Output.ReceiveOneAsync(TimeSpan.FromSeconds(5)))
            {
                case Completed:
                    completed++;
                    break;
                case Sent sent when connection.Decode(sent.Frame) is Reply reply:
                    Assert.True(answered.Add(reply.Id), $"request {reply.Id} answered twice");
                    break;
                case Sent:
                    break;
                case var other:
                    Assert.Fail($"unexpected {other}");
                    break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 11).Select(Id).ToHashSet(), answered);
        await connection.Output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(400));
    }

    private async Task<Connection> StartAsync(Dialect dialect, string hocon = "", int capacityFrames = int.MaxValue, bool expectHello = true)
    {
        var config = MwgConfig.Build(ConfigurationFactory.ParseString("mwg.connection.g1-push-puts = off\n" + hocon));
        var settings = ConnectionSettings.Create(config);
        var output = CreateTestProbe();
        var recording = new RecordingOutput(output.Ref, capacityFrames);
        var actor = Sys.ActorOf(ConnectionActor.Props(
            settings,
            new ServerCodec(dialect, settings.Limits),
            recording,
            new ConnectionRefs(_storage.Ref, _subscriptions.Ref, _locks.Ref)));
        var connection = new Connection(actor, output, dialect, recording);

        // A connection first asks for the reader pool; until it is told, reads go through the storage actor.
        await _storage.ExpectMsgAsync<StorageProtocol.GetReaders>();
        if (expectHello && dialect != Dialect.G1)
        {
            Assert.IsType<Hello>(await connection.NextFrameAsync());
        }

        return connection;
    }

    private async Task<long[]> SubscribeAsync(Connection connection, int count)
    {
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            connection.Send(new Subscribe(Id(100 + i), [Utf8($"p{i}/")], null, true));
            ids[i] = (await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>()).SubscriptionId;
            _subscriptions.Reply(new SubscriptionProtocol.SubscriptionOpened(ids[i], 0));
            Assert.IsType<Subscribed>(await connection.NextFrameAsync());
            await connection.ExpectCompletedAsync();
        }

        return ids;
    }

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The actor under test, the probe its output reports to, and the client side of its dialect.</summary>
    private sealed class Connection(IActorRef actor, TestProbe output, Dialect dialect, RecordingOutput recording)
    {
        private readonly BinaryClientEncoder _encoder = new(dialect);
        private readonly BinaryClientDecoder _decoder = new(dialect);

        public IActorRef Actor { get; } = actor;

        public TestProbe Output { get; } = output;

        public RecordingOutput Recording { get; } = recording;

        public void Send(byte[] frame) => Actor.Tell(new FrameReceived(frame));

        public void Send(ProtocolMessage request) => Send(_encoder.Encode(request));

        public ProtocolMessage Decode(byte[] frame) => _decoder.Decode(frame);

        public async Task<ProtocolMessage> NextFrameAsync(TimeSpan? within = null) =>
            Decode((await Output.ExpectMsgAsync<Sent>(within)).Frame);

        public async Task ExpectCompletedAsync() => await Output.ExpectMsgAsync<Completed>();
    }
}
