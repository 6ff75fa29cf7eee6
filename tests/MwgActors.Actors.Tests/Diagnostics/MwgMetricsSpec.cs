using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.Connections;
using MwgActors.Actors.Diagnostics;
using MwgActors.Actors.Hosting;
using MwgActors.Actors.Storage;
using MwgActors.Actors.Tests.Connections;
using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;
using static MwgActors.Actors.Connections.ConnectionProtocol;
using static MwgActors.Actors.Tests.Connections.RecordingOutput;

namespace MwgActors.Actors.Tests.Diagnostics;

/// <summary>
/// The connection actor's metrics as a MeterListener (any exporter) sees them on its system's <c>MwgActors</c> meter:
/// requests by type and outcome with their latency, open connections by dialect.
/// </summary>
public sealed class MwgMetricsSpec : TestKit
{
    public MwgMetricsSpec()
        : base("akka.loglevel = ERROR")
    {
    }

    [Fact]
    public async Task A_connection_should_count_its_requests_by_type_and_outcome_and_time_each()
    {
        using var recorder = new MeasurementRecorder(MwgMetrics.Get(Sys).Meter);
        var storage = CreateTestProbe();
        var output = CreateTestProbe();
        var settings = ConnectionSettings.Create(MwgConfig.Build(ConfigurationFactory.ParseString("mwg.connection.g1-push-puts = off")));
        var encoder = new BinaryClientEncoder(Dialect.Extended);
        var actor = Sys.ActorOf(ConnectionActor.Props(
            settings,
            new ServerCodec(Dialect.Extended, settings.Limits),
            new RecordingOutput(output.Ref),
            new ConnectionRefs(storage.Ref, CreateTestProbe().Ref, CreateTestProbe().Ref)));
        await storage.ExpectMsgAsync<StorageProtocol.GetReaders>();
        await output.ExpectMsgAsync<Sent>(); // the hello

        Assert.Equal(1, recorder.Observe("mwg.connections", ("dialect", "extended")));
        Assert.Equal(0, recorder.Observe("mwg.connections", ("dialect", "json")));

        actor.Tell(new FrameReceived(encoder.Encode(new Ping(Id(1)))));
        actor.Tell(new FrameReceived(encoder.Encode(new Get(Id(2), [[1]]))));
        var read = await storage.ExpectMsgAsync<StorageProtocol.ReadKeys>();
        actor.Tell(new StorageProtocol.StorageFailed(StorageFailure.Unavailable, Retryable: true, read.CorrelationId));
        actor.Tell(new FrameReceived([(byte)'#', 0x7F, (byte)'A']));

        await AwaitAssertAsync(() =>
        {
            Assert.Equal(1, recorder.Sum("mwg.requests", ("type", "ping"), ("outcome", "ok")));
            Assert.Equal(1, recorder.Sum("mwg.requests", ("type", "get"), ("outcome", "error")));
            Assert.Equal(1, recorder.Sum("mwg.requests", ("type", "unknown"), ("outcome", "invalid")));
            Assert.Equal(3, recorder.Sum("mwg.requests"));
            Assert.Equal(1, recorder.Count("mwg.request.duration", ("type", "get")));
            Assert.True(recorder.Sum("mwg.request.duration", ("type", "get")) > 0);
        });

        Watch(actor);
        Sys.Stop(actor);
        await ExpectTerminatedAsync(actor);
        Assert.Equal(0, recorder.Observe("mwg.connections", ("dialect", "extended")));
    }

    [Fact]
    public async Task Each_actor_system_should_have_a_meter_of_its_own()
    {
        var other = ActorSystem.Create("other", "akka.loglevel = ERROR");
        try
        {
            var mine = MwgMetrics.Get(Sys);
            var theirs = MwgMetrics.Get(other);

            Assert.Same(mine, MwgMetrics.Get(Sys));
            Assert.NotSame(mine.Meter, theirs.Meter);
            Assert.Equal(MwgMetrics.MeterName, theirs.Meter.Name);
        }
        finally
        {
            await other.Terminate();
        }
    }

    private static RequestId Id(int n) => new(MwdbBase64.EncodeInt(n));
}
