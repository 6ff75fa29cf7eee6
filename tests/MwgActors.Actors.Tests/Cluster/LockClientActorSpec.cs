using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Cluster;
using MwgActors.Actors.Locks;
using static MwgActors.Actors.Locks.LockProtocol;

namespace MwgActors.Actors.Tests.Cluster;

/// <summary>
/// A node's <see cref="LockClientActor"/> in a one-node cluster, with a probe standing in for the lock table singleton
/// (at /user/mwg-lock-table/singleton, where the client looks for it). Replies are matched by id, never by order.
/// </summary>
public sealed class LockClientActorSpec : TestKit
{
    private const string Config = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = "127.0.0.1"
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [storage]
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        akka.loglevel = ERROR
        """;

    private readonly TestProbe _table;

    public LockClientActorSpec()
        : base(Config)
    {
        _table = CreateTestProbe("table");
    }

    [Fact]
    public async Task Replies_out_of_order_should_reach_their_requesters_with_their_own_ids()
    {
        var client = await StartAsync();
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        // Two connections may use the same id: the client forwards each under an id of its own.
        client.Tell(new AcquirePrefix(first.Ref, 1), first.Ref);
        client.Tell(new ReleasePrefix(4, "token-4", 1), second.Ref);
        var acquire = await NextRequestAsync<AcquirePrefix>();
        var release = await NextRequestAsync<ReleasePrefix>();
        Assert.NotEqual(acquire.CorrelationId, release.CorrelationId);
        Assert.Equal((first.Ref, 4, "token-4"), (acquire.Owner, release.Prefix, release.LeaseToken));

        _table.Reply(new PrefixReleased(4, release.CorrelationId));
        _table.Reply(new PrefixGranted(7, "token-7", acquire.CorrelationId));

        Assert.Equal(new PrefixReleased(4, 1), await second.ExpectMsgAsync<PrefixReleased>());
        Assert.Equal(new PrefixGranted(7, "token-7", 1), await first.ExpectMsgAsync<PrefixGranted>());
    }

    [Fact]
    public async Task A_lost_lock_table_should_refuse_each_waiting_request_with_its_id_and_its_late_replies_be_dropped()
    {
        var client = await StartAsync();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        client.Tell(new AcquirePrefix(first.Ref, 5), first.Ref);
        client.Tell(new AcquirePrefix(second.Ref, 6), second.Ref);
        var late = await NextRequestAsync<AcquirePrefix>();
        _ = await NextRequestAsync<AcquirePrefix>();

        // The lock table stops (its stand-in starts a successor at the same path, as a failover would).
        Sys.Stop(await LockTableAsync());

        Assert.Equal(new PrefixRefused(LockRefusal.Unavailable, 5), await first.ExpectMsgAsync<PrefixRefused>());
        Assert.Equal(new PrefixRefused(LockRefusal.Unavailable, 6), await second.ExpectMsgAsync<PrefixRefused>());

        // Once the successor is found, a new request is in flight when the old table's reply turns up: it is not its answer.
        await UntilReadyAsync(client);
        var third = CreateTestProbe();
        client.Tell(new AcquirePrefix(third.Ref, 9), third.Ref);
        var current = await NextRequestAsync<AcquirePrefix>();
        client.Tell(new PrefixGranted(0, "late", late.CorrelationId), _table.Ref);
        client.Tell(new PrefixGranted(2, "current", current.CorrelationId), _table.Ref);

        // Had the late reply been forwarded, it would have arrived first.
        Assert.Equal(new PrefixGranted(2, "current", 9), await third.ExpectMsgAsync<PrefixGranted>());
    }

    [Fact]
    public async Task Requests_should_be_refused_as_unavailable_with_their_id_until_the_lock_table_answers_its_probe()
    {
        Sys.ActorOf(Props.Create(() => new LockTableStandIn(_table.Ref)), LockClientActor.ManagerName);
        var client = Sys.ActorOf(LockClientActor.Props(Settings()));
        await JoinSelfAsync();

        // Found and probed, but the probe is not answered yet.
        var probe = await _table.ExpectMsgAsync<GetLeases>(TimeSpan.FromSeconds(10));
        client.Tell(new AcquirePrefix(TestActor, 3), TestActor);
        Assert.Equal(new PrefixRefused(LockRefusal.Unavailable, 3), await ExpectMsgAsync<PrefixRefused>());

        _table.Reply(new LeaseList([], probe.CorrelationId));
        await UntilReadyAsync(client);
    }

    private async Task<IActorRef> StartAsync()
    {
        Sys.ActorOf(Props.Create(() => new LockTableStandIn(_table.Ref)), LockClientActor.ManagerName);
        var client = Sys.ActorOf(LockClientActor.Props(Settings()));
        await JoinSelfAsync();
        await UntilReadyAsync(client);
        return client;
    }

    private async Task JoinSelfAsync()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Answers every listing the table is asked for (the client's probes, and listings asked through it) until a listing
    /// asked through the client comes back with its id: the client has found the table and it answered.
    /// </summary>
    private async Task UntilReadyAsync(IActorRef client)
    {
        var asker = CreateTestProbe();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            client.Tell(new GetLeases(77), asker.Ref);
            while (true)
            {
                // Null while the listing waits for the table.
                var answer = await asker.ReceiveOneAsync(TimeSpan.FromMilliseconds(50), deadline.Token);
                if (answer is LeaseList list)
                {
                    Assert.Equal(77, list.CorrelationId);
                    return;
                }

                if (answer is not null)
                {
                    // Not usable yet: asked again once the table has had its probes answered.
                    Assert.Equal(new PrefixRefused(LockRefusal.Unavailable, 77), answer);
                    await AnswerListingsAsync(deadline.Token);
                    break;
                }

                await AnswerListingsAsync(deadline.Token);
            }
        }
    }

    private async Task AnswerListingsAsync(CancellationToken cancellationToken)
    {
        while (await _table.ReceiveOneAsync(TimeSpan.FromMilliseconds(50), cancellationToken) is { } received)
        {
            var listing = Assert.IsType<GetLeases>(received);
            _table.Reply(new LeaseList([], listing.CorrelationId));
        }
    }

    /// <summary>The next request the client sent the table, answering its probes on the way.</summary>
    private async Task<T> NextRequestAsync<T>()
    {
        while (true)
        {
            var message = await _table.ReceiveOneAsync(TimeSpan.FromSeconds(10));
            if (message is T request)
            {
                return request;
            }

            var probe = Assert.IsType<GetLeases>(message);
            _table.Reply(new LeaseList([], probe.CorrelationId));
        }
    }

    private Task<IActorRef> LockTableAsync() =>
        Sys.ActorSelection($"/user/{LockClientActor.ManagerName}/singleton").ResolveOne(TimeSpan.FromSeconds(5));

    private static ClusterSettings Settings() => new(
        Enabled: true,
        JournalConnectionString: "unused",
        JournalProviderName: "unused",
        JournalRefreshInterval: TimeSpan.FromSeconds(1),
        ReadWaitTimeout: TimeSpan.FromSeconds(1),
        LocateInterval: TimeSpan.FromMilliseconds(100),
        PositionInterval: TimeSpan.FromSeconds(1),
        ChangesTopic: "unused",
        Roles: [ClusterSettings.StorageRole]);

    /// <summary>Stands in for the singleton manager: its child "singleton" forwards to the probe, and is started again when it stops.</summary>
    private sealed class LockTableStandIn : ReceiveActor
    {
        public LockTableStandIn(IActorRef table)
        {
            var singleton = Start(table);
            Receive<Terminated>(t =>
            {
                if (t.ActorRef.Equals(singleton))
                {
                    singleton = Start(table);
                }
            });
        }

        private static IActorRef Start(IActorRef table)
        {
            var singleton = Context.ActorOf(Props.Create(() => new Forwarder(table)), "singleton");
            Context.Watch(singleton);
            return singleton;
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef table) => ReceiveAny(message => table.Forward(message));
    }
}
