using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Auth;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Subscriptions;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;
using MwgActors.Storage.Mwdb;
using static MwgActors.Actors.Connections.ConnectionProtocol;
using static MwgActors.Actors.Tests.Connections.RecordingOutput;
using AuthRequest = MwgActors.Protocol.Auth;
using Lock = MwgActors.Protocol.Lock;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>
/// Rights, in-band authentication and token expiry on one connection actor, between a <see cref="RecordingOutput"/>
/// and probes standing in for the storage and subscription actors. Principals are built directly; the validator
/// is a table of tokens.
/// </summary>
public sealed class ConnectionAuthSpec : TestKit
{
    private readonly TestProbe _storage;
    private readonly TestProbe _subscriptions;
    private readonly TestProbe _locks;
    private readonly FakeValidator _validator = new();

    public ConnectionAuthSpec()
        : base("akka.loglevel = ERROR")
    {
        _storage = CreateTestProbe("storage");
        _subscriptions = CreateTestProbe("subscriptions");
        _locks = CreateTestProbe("locks");
    }

    [Fact]
    public async Task A_put_batch_with_one_forbidden_key_should_be_refused_whole_and_send_nothing_to_storage()
    {
        var connection = await StartAsync(Dialect.Extended, Grant("ada", null, (Right.Write, "a/"), (Right.Read, "")));

        connection.Send(new Put(Id(1), [new KeyValue(Utf8("a/1"), Utf8("x")), new KeyValue(Utf8("b/1"), Utf8("y"))]));
        connection.Send(new Remove(Id(2), [Utf8("a/1"), Utf8("b/1")]));

        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Send(new Put(Id(3), [new KeyValue(Utf8("a/1"), Utf8("x"))]));
        var write = await _storage.ExpectMsgAsync<StorageProtocol.WriteBatch>();
        Assert.Equal("a/1", Text(write.Operations.Single().Key));
    }

    [Fact]
    public async Task A_get_with_one_forbidden_key_should_be_refused_whole_and_read_nothing()
    {
        var connection = await StartAsync(Dialect.Extended, Grant("ada", null, (Right.Read, "a/")));

        connection.Send(new Get(Id(1), [Utf8("a/1"), Utf8("secret/1")]));

        var error = Assert.IsType<Error>(await connection.NextFrameAsync());
        Assert.Equal((Id(1), ErrorCode.Forbidden), (error.Id, error.Code));
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Send(new Get(Id(2), [Utf8("a/1")]));
        await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("b/")]
    public async Task A_subscribe_to_a_prefix_not_wholly_allowed_should_be_Forbidden(string prefix)
    {
        var connection = await StartAsync(Dialect.Extended, Grant("ada", null, (Right.Subscribe, "a/"), (Right.Read, "a/"), (Right.Read, "b/")));

        connection.Send(new Subscribe(Id(1), [Utf8("a/x"), Utf8(prefix)], null, true));

        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        await _subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Send(new Subscribe(Id(2), [Utf8("a/x")], null, true));
        await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
    }

    [Fact]
    public async Task Lock_should_need_the_lock_right()
    {
        var connection = await StartAsync(Dialect.Extended, Grant("ada", null, (Right.Read, "")));

        connection.Send(new Lock(Id(1)));

        Assert.Equal(ErrorCode.Forbidden, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        await _locks.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_notification_should_only_ever_carry_keys_the_token_may_read()
    {
        var connection = await StartAsync(Dialect.Extended, Grant("ada", null, (Right.Subscribe, "a/"), (Right.Read, "a/")));
        var id = await SubscribeAsync(connection, "a/", revision: 5);

        // Defensive: even if the subscription actor delivered a key outside the rights, it does not reach the client.
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 6, [Change("a/1"), Change("b/1")]), _subscriptions.Ref);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 7, [Change("b/2")]), _subscriptions.Ref);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 8, [Change("a/2")]), _subscriptions.Ref);

        var first = Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());
        Assert.Equal(6, first.Revision);
        Assert.Equal(["a/1"], first.Changes.Select(c => Text(c.Key)));
        var next = Assert.IsType<ChangeNotification>(await connection.NextFrameAsync());
        Assert.Equal(8, next.Revision);
    }

    [Fact]
    public async Task An_unauthenticated_JSON_connection_should_only_take_auth_and_ping_until_a_valid_token()
    {
        var connection = await StartAsync(Dialect.Json, principal: null, required: true);
        _validator.Add("good", Grant("ada", null, (Right.Read, "")));

        connection.Send(new Get(JsonId(1), [Utf8("k")]));
        connection.Send(new Ping(JsonId(2)));
        connection.Send(new AuthRequest(JsonId(3), "bad"));

        Assert.Equal(ErrorCode.Unauthorized, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        Assert.Equal(new Pong(JsonId(2)), await connection.NextFrameAsync());
        Assert.Equal(ErrorCode.Unauthorized, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Send(new AuthRequest(JsonId(4), "good"));
        Assert.Equal(new AuthResult(JsonId(4), "ada", null), await connection.NextFrameAsync());

        connection.Send(new Get(JsonId(5), [Utf8("k")]));
        await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
    }

    [Fact]
    public async Task Auth_should_be_refused_when_authentication_is_off_and_the_connection_stay_anonymous()
    {
        var connection = await StartAsync(Dialect.Extended, Principal.Anonymous, required: false, validator: false);

        connection.Send(new AuthRequest(Id(1), "any"));

        Assert.Equal(ErrorCode.Unauthorized, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        connection.Send(new Get(Id(2), [Utf8("k")]));
        await _storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
    }

    [Fact]
    public async Task Expiry_should_push_TokenExpired_refuse_requests_and_pause_then_a_new_token_resumes_after_the_last_delivered_revision()
    {
        // The clock the rule reads moves on only when the test says so: however slow the machine, the token is valid
        // until then (the expiry timer, an hour of real time away, never fires here; the next event sees the expiry).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var rights = new[] { (Right.Subscribe, "a/"), (Right.Read, "a/") };
        var connection = await StartAsync(Dialect.Extended, Grant("ada", clock.GetUtcNow().AddHours(1), rights), clock: clock);
        _validator.Add("fresh", Grant("ada", clock.GetUtcNow().AddHours(3), rights));
        var id = await SubscribeAsync(connection, "a/", revision: 5);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 6, [Change("a/1")]), _subscriptions.Ref);
        Assert.Equal(6, Assert.IsType<ChangeNotification>(await connection.NextFrameAsync()).Revision);

        clock.Advance(TimeSpan.FromHours(2));
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 7, [Change("a/2")]), _subscriptions.Ref);
        Assert.IsType<TokenExpired>(await connection.NextFrameAsync());
        Assert.Equal(id, (await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.PauseSubscription>()).SubscriptionId);

        // Revision 7 was on its way when the pause happened: dropped now, replayed on resume.
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 7, [Change("a/2")]), _subscriptions.Ref);
        connection.Actor.Tell(new SubscriptionProtocol.SubscriptionPaused(id), _subscriptions.Ref);
        connection.Send(new Get(Id(2), [Utf8("a/1")]));
        Assert.Equal(ErrorCode.Unauthorized, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        connection.Send(new AuthRequest(Id(3), "fresh"));
        var result = Assert.IsType<AuthResult>(await connection.NextFrameAsync());
        Assert.Equal("ada", result.Subject);
        var resume = await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>();
        Assert.Equal((id, 6L, "a/"), (resume.SubscriptionId, resume.AfterRevision, Text(resume.Prefixes.Single())));

        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 7, [Change("a/2")]), _subscriptions.Ref);
        connection.Actor.Tell(new SubscriptionProtocol.SubscriptionOpened(id, 7), _subscriptions.Ref);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 8, [Change("a/3")]), _subscriptions.Ref);
        Assert.Equal(7, Assert.IsType<ChangeNotification>(await connection.NextFrameAsync()).Revision);
        Assert.Equal(8, Assert.IsType<ChangeNotification>(await connection.NextFrameAsync()).Revision);
        await connection.Output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_paused_subscription_the_new_token_does_not_allow_should_be_dropped_with_a_ReloadAll()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var connection = await StartAsync(Dialect.Extended, Grant("ada", clock.GetUtcNow().AddHours(1), (Right.Subscribe, "a/"), (Right.Read, "a/")), clock: clock);
        _validator.Add("narrow", Grant("ada", null, (Right.Subscribe, "b/"), (Right.Read, "b/")));
        var id = await SubscribeAsync(connection, "a/", revision: 5);
        clock.Advance(TimeSpan.FromHours(2));
        connection.Send(new Ping(Id(2)));
        Assert.IsType<TokenExpired>(await connection.NextFrameAsync());
        await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.PauseSubscription>();
        Assert.IsType<Pong>(await connection.NextFrameAsync());

        connection.Send(new AuthRequest(Id(3), "narrow"));

        Assert.IsType<AuthResult>(await connection.NextFrameAsync());
        Assert.Equal(new ReloadAll(id), await connection.NextFrameAsync());
        await _subscriptions.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_new_token_with_narrower_rights_should_drop_a_live_subscription_it_does_not_allow()
    {
        var connection = await StartAsync(Dialect.Extended, Grant("ada", null, (Right.Subscribe, ""), (Right.Read, "")));
        _validator.Add("narrow", Grant("ada", null, (Right.Subscribe, "b/"), (Right.Read, "b/")));
        var id = await SubscribeAsync(connection, "a/", revision: 5);

        connection.Send(new AuthRequest(Id(2), "narrow"));

        Assert.IsType<AuthResult>(await connection.NextFrameAsync());
        Assert.Equal(new ReloadAll(id), await connection.NextFrameAsync());
        Assert.Equal(id, (await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.CloseSubscription>()).SubscriptionId);
        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 6, [Change("a/1")]), _subscriptions.Ref);
        await connection.Output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_forbidden_G1_write_should_answer_false_and_a_forbidden_get_close_with_1008()
    {
        var connection = await StartAsync(Dialect.G1, Grant("ada", null, (Right.Read, "a/"), (Right.Write, "a/")));
        Watch(connection.Actor);

        connection.Send(new Put(Id(1), [new KeyValue(Utf8("b/1"), Utf8("x"))]));
        Assert.Equal(new PutResult(Id(1), false), await connection.NextFrameAsync());

        connection.Send(new Get(Id(2), [Utf8("b/1")]));
        Assert.Equal(CloseCodes.PolicyViolation, ((Closed)await connection.Output.FishForMessageAsync(m => m is Closed)).Code);
        await ExpectTerminatedAsync(connection.Actor);
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_request_after_the_token_expired_should_be_refused_before_the_expiry_timer_fires()
    {
        // The timer is set for an hour of real time; only the clock the rule reads moves past the expiry.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var connection = await StartAsync(Dialect.Extended, Grant("ada", clock.GetUtcNow().AddHours(1), (Right.Write, ""), (Right.Read, "")), clock: clock);
        clock.Advance(TimeSpan.FromHours(2));

        connection.Send(new Put(Id(1), [new KeyValue(Utf8("a/1"), Utf8("x"))]));

        Assert.IsType<TokenExpired>(await connection.NextFrameAsync());
        Assert.Equal(ErrorCode.Unauthorized, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_G1_put_after_the_token_expired_should_answer_false_close_with_1008_and_not_be_stored()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var connection = await StartAsync(Dialect.G1, Grant("ada", clock.GetUtcNow().AddHours(1), (Right.Write, ""), (Right.Read, "")), clock: clock);
        Watch(connection.Actor);
        clock.Advance(TimeSpan.FromHours(2));

        connection.Send(new Put(Id(1), [new KeyValue(Utf8("a/1"), Utf8("x"))]));

        Assert.Equal(new PutResult(Id(1), false), await connection.NextFrameAsync());
        Assert.Equal(CloseCodes.PolicyViolation, ((Closed)await connection.Output.FishForMessageAsync(m => m is Closed)).Code);
        await ExpectTerminatedAsync(connection.Actor);
        await _storage.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_notification_after_the_token_expired_should_not_be_delivered_before_the_timer_fires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var connection = await StartAsync(Dialect.Extended, Grant("ada", clock.GetUtcNow().AddHours(1), (Right.Subscribe, ""), (Right.Read, "")), clock: clock);
        var id = await SubscribeAsync(connection, "a/", revision: 5);
        clock.Advance(TimeSpan.FromHours(2));

        connection.Actor.Tell(new SubscriptionProtocol.SubscribedKeysChanged(id, 6, [Change("a/1")]), _subscriptions.Ref);

        Assert.IsType<TokenExpired>(await connection.NextFrameAsync());
        Assert.Equal(id, (await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.PauseSubscription>()).SubscriptionId);
        await connection.Output.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_connection_without_a_token_should_be_closed_at_the_authenticate_deadline_whatever_it_sends()
    {
        var connection = await StartAsync(Dialect.Json, null, config: "mwg.connection.authenticate-timeout = 500ms");
        Watch(connection.Actor);

        // Pings are answered but do not move the deadline.
        connection.Send(new Ping(JsonId(1)));
        Assert.IsType<Pong>(await connection.NextFrameAsync());

        Assert.Equal(new Closed(CloseCodes.PolicyViolation, "authentication timeout"), await connection.Output.FishForMessageAsync(m => m is Closed, TimeSpan.FromSeconds(10)));
        await ExpectTerminatedAsync(connection.Actor);
    }

    [Fact]
    public async Task An_expired_connection_should_be_closed_when_no_new_token_comes_within_the_authenticate_timeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var connection = await StartAsync(Dialect.Json, Grant("ada", clock.GetUtcNow().AddHours(1), (Right.Read, "")), clock: clock, config: "mwg.connection.authenticate-timeout = 300ms");
        clock.Advance(TimeSpan.FromHours(2));

        connection.Send(new Ping(JsonId(1)));

        Assert.IsType<TokenExpired>(await connection.NextFrameAsync());
        Assert.IsType<Pong>(await connection.NextFrameAsync());
        Assert.Equal(new Closed(CloseCodes.PolicyViolation, "authentication timeout"), await connection.Output.FishForMessageAsync(m => m is Closed, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task In_band_auth_should_tell_the_gateway_once_and_lift_the_authenticate_deadline()
    {
        var gateway = CreateTestProbe();
        _validator.Add("good", Grant("ada", null, (Right.Read, "")));
        var connection = await StartAsync(Dialect.Extended, null, config: "mwg.connection.authenticate-timeout = 300ms", authenticated: () => gateway.Ref.Tell("authenticated"));

        connection.Send(new AuthRequest(Id(1), "good"));
        Assert.IsType<AuthResult>(await connection.NextFrameAsync());
        connection.Send(new AuthRequest(Id(2), "good"));
        Assert.IsType<AuthResult>(await connection.NextFrameAsync());

        await gateway.ExpectMsgAsync("authenticated");
        await gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        await connection.Output.ExpectMsgAsync<Completed>();

        // Longer than the deadline: no close comes, and the connection is still served.
        await connection.Output.ExpectNoMsgAsync(TimeSpan.FromSeconds(1));
        connection.Send(new Ping(Id(3)));
        Assert.IsType<Pong>(await connection.NextFrameAsync());
    }

    [Fact]
    public async Task A_binary_message_on_the_json_dialect_should_be_answered_BadFrame_and_the_connection_stay()
    {
        var connection = await StartAsync(Dialect.Json, Grant("ada", null, (Right.Read, "")));

        connection.Actor.Tell(FrameOfWrongType.Instance);

        Assert.Equal(ErrorCode.BadFrame, Assert.IsType<Error>(await connection.NextFrameAsync()).Code);
        connection.Send(new Ping(JsonId(1)));
        Assert.IsType<Pong>(await connection.NextFrameAsync());
    }

    private static Principal Grant(string subject, DateTimeOffset? expiresAt, params (Right Right, string Prefix)[] grants) =>
        new(subject, grants.GroupBy(g => g.Right).ToDictionary(g => g.Key, g => (IReadOnlyList<byte[]>)g.Select(x => Utf8(x.Prefix)).ToArray()), expiresAt);

    private async Task<Connection> StartAsync(Dialect dialect, Principal? principal, bool required = true, bool validator = true, TimeProvider? clock = null, string config = "", Action? authenticated = null)
    {
        var settings = ConnectionSettings.Create(MwgConfig.Build(ConfigurationFactory.ParseString("mwg.connection.g1-push-puts = off\n" + config)));
        var output = CreateTestProbe();
        var actor = Sys.ActorOf(ConnectionActor.Props(
            settings,
            new ServerCodec(dialect, settings.Limits),
            new RecordingOutput(output.Ref),
            new ConnectionRefs(_storage.Ref, _subscriptions.Ref, _locks.Ref),
            new ConnectionAuth(principal, validator ? _validator : null, required) { Clock = clock ?? TimeProvider.System, Authenticated = authenticated }));
        var connection = new Connection(actor, output, dialect);
        await _storage.ExpectMsgAsync<StorageProtocol.GetReaders>();
        if (dialect != Dialect.G1)
        {
            Assert.IsType<Hello>(await connection.NextFrameAsync());
        }

        return connection;
    }

    private async Task<long> SubscribeAsync(Connection connection, string prefix, long revision)
    {
        connection.Send(new Subscribe(Id(100), [Utf8(prefix)], null, true));
        var id = (await _subscriptions.ExpectMsgAsync<SubscriptionProtocol.OpenSubscription>()).SubscriptionId;
        _subscriptions.Reply(new SubscriptionProtocol.SubscriptionOpened(id, revision));
        Assert.IsType<Subscribed>(await connection.NextFrameAsync());
        return id;
    }

    private static Change Change(string key) => new(Utf8(key), false, Utf8("v"));

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));

    private static RequestId JsonId(int n) => RequestId.FromString("r" + n);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private sealed class FakeValidator : ITokenValidator
    {
        private readonly Dictionary<string, Principal> _tokens = [];

        public void Add(string token, Principal principal) => _tokens[token] = principal;

        public bool TryValidate(string token, out Principal principal, out ErrorCode error)
        {
            error = ErrorCode.Unauthorized;
            var known = _tokens.TryGetValue(token, out var found);
            principal = found ?? Principal.Anonymous;
            return known;
        }
    }

    /// <summary>The actor under test, the probe its output reports to, and the client side of its dialect.</summary>
    private sealed class Connection(IActorRef actor, TestProbe output, Dialect dialect)
    {
        public IActorRef Actor { get; } = actor;

        public TestProbe Output { get; } = output;

        public void Send(ProtocolMessage request)
        {
            var frame = dialect == Dialect.Json
                ? new JsonClientEncoder().Encode((Request)request)
                : new BinaryClientEncoder(dialect).Encode(request);
            Actor.Tell(new FrameReceived(frame));
        }

        /// <summary>The next frame sent, past the slot releases (<see cref="Completed"/>) before it.</summary>
        public async Task<ProtocolMessage> NextFrameAsync(TimeSpan? within = null)
        {
            var frame = ((Sent)await Output.FishForMessageAsync(m => m is Sent, within)).Frame;
            return dialect == Dialect.Json ? new JsonClientDecoder().Decode(frame) : new BinaryClientDecoder(dialect).Decode(frame);
        }
    }
}
