using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using MwgActors.Actors.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace MwgActors.Actors.Tests.Logging;

/// <summary>
/// Akka's log events, routed by <c>akka.loggers</c> to <see cref="LoggingBridgeActor"/>, arrive in an ILogger with
/// their level, the logging class as category, the formatted message and the template's values.
/// </summary>
public sealed class LoggingBridgeSpec : IAsyncLifetime
{
    private readonly CapturingLoggerFactory _logs = new(LogLevel.Information);
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        var config = AkkaLogging.Config(LogLevel.Information).WithFallback(ConfigurationFactory.Empty);
        _system = ActorSystem.Create("bridge", AkkaLogging.Setup(config, _logs));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _system.Terminate();
        _logs.Dispose();
    }

    [Fact]
    public async Task An_actor_log_event_should_arrive_structured_under_the_actor_class()
    {
        var actor = _system.ActorOf(Props.Create(() => new Chatty()), "chatty");

        actor.Tell("go");

        var info = await _logs.ExpectAsync(l => l.Category == typeof(Chatty).FullName && l.Level == LogLevel.Information);
        Assert.Equal("Stored 3 keys at revision 7", info.Message);
        Assert.Equal(3, info.Properties["Count"]);
        Assert.Equal(7L, info.Properties["Revision"]);
        Assert.Equal("Stored {Count} keys at revision {Revision}", info.Properties["{OriginalFormat}"]);
        Assert.Equal("akka://bridge/user/chatty", info.Properties["LogSource"]);

        var error = await _logs.ExpectAsync(l => l.Category == typeof(Chatty).FullName && l.Level == LogLevel.Error);
        Assert.Equal("Journal write failed at revision 8", error.Message);
        Assert.IsType<InvalidOperationException>(error.Exception);
    }

    [Fact]
    public async Task Events_below_the_level_should_not_arrive()
    {
        var actor = _system.ActorOf(Props.Create(() => new Chatty()), "quiet");

        actor.Tell("go");

        await _logs.ExpectAsync(l => l.Level == LogLevel.Error && l.Category == typeof(Chatty).FullName);
        Assert.DoesNotContain(_logs.Drain(), l => l.Level < LogLevel.Information);
    }

    private sealed class Chatty : ReceiveActor
    {
        public Chatty()
        {
            var log = Context.GetLogger();
            Receive<string>(_ =>
            {
                log.Debug("Not written at level information");
                log.Info("Stored {Count} keys at revision {Revision}", 3, 7L);
                log.Error(new InvalidOperationException("disk gone"), "Journal write failed at revision {Revision}", 8L);
            });
        }
    }
}
