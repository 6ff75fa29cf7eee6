using Akka.Actor;
using Akka.Configuration;
using Akka.Event;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>
/// MwgActors.Storage's reference configuration stands alone: an actor system on it and the RocksDB plugins, with
/// no MwgActors.Actors in the process, starts, persists and logs no warning (the reference binds no serializer to a
/// type this assembly cannot load).
/// </summary>
public sealed class StorageReferenceConfigSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task An_actor_system_on_the_storage_reference_alone_should_log_no_warning()
    {
        Assert.Null(Type.GetType("MwgActors.Actors.Hosting.MwgConfig, MwgActors.Actors"));
        var name = "storage-alone-" + Guid.NewGuid().ToString("N");
        var config = ConfigurationFactory.ParseString(RecordingLogger.Hocon).WithFallback(PersistenceTestConfig.For(_folder.Path));

        var system = ActorSystem.Create(name, config);
        try
        {
            var counter = system.ActorOf(Props.Create(() => new CounterActor("alone")));
            var probe = CreateTestProbe(system);
            counter.Tell(new CounterProtocol.Increment(1), probe.Ref);
            await probe.ExpectMsgAsync<CounterProtocol.Incremented>();
        }
        finally
        {
            await system.Terminate();
        }

        Assert.Contains(RecordingLogger.Of(name), e => e.LogLevel() == LogLevel.DebugLevel);
        Assert.Empty(RecordingLogger.Of(name).Where(e => e.LogLevel() >= LogLevel.WarningLevel).Select(e => e.ToString()));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }
}
