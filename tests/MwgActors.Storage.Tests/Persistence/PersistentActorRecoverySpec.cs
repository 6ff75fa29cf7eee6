using Akka.Actor;
using MwgActors.Storage.RocksDb;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>
/// A persistent actor on the RocksDB journal and snapshot store recovers its state after its actor system
/// is terminated and a new one starts on the same folder, as after a process restart.
/// </summary>
public sealed class PersistentActorRecoverySpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task Counter_should_recover_its_value_from_the_journal_after_a_restart()
    {
        await RunAsync("counter-first", async (system, counter) =>
        {
            foreach (var delta in new[] { 1, 2, 3 })
            {
                await IncrementAsync(system, counter, delta);
            }
        });

        var state = await RunAsync("counter-second", GetStateAsync);

        Assert.Equal(new CounterProtocol.State(6, 3, 0, 3), state);
    }

    [Fact]
    public async Task Counter_should_recover_from_its_snapshot_and_the_events_after_it()
    {
        await RunAsync("counter-first", async (system, counter) =>
        {
            await IncrementAsync(system, counter, 1);
            await IncrementAsync(system, counter, 2);
            var probe = CreateTestProbe(system);
            counter.Tell(new CounterProtocol.TakeSnapshot(), probe.Ref);
            Assert.Equal(2, (await probe.ExpectMsgAsync<CounterProtocol.SnapshotTaken>()).SequenceNr);
            await IncrementAsync(system, counter, 3);
        });

        var state = await RunAsync("counter-second", GetStateAsync);

        Assert.Equal(new CounterProtocol.State(6, 3, 2, 1), state);
    }

    [Fact]
    public async Task Counter_should_continue_its_sequence_numbers_across_restarts()
    {
        await RunAsync("counter-first", (system, counter) => IncrementAsync(system, counter, 5));
        var next = await RunAsync("counter-second", (system, counter) => IncrementAsync(system, counter, 7));

        var state = await RunAsync("counter-third", GetStateAsync);

        Assert.Equal(2, next);
        Assert.Equal(new CounterProtocol.State(12, 2, 0, 2), state);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }

    private async Task RunAsync(string systemName, Func<ActorSystem, IActorRef, Task> work) =>
        await RunAsync(systemName, async (system, counter) =>
        {
            await work(system, counter);
            return true;
        });

    /// <summary>Starts an actor system on the folder with the counter, runs <paramref name="work"/>, terminates the system.</summary>
    private async Task<T> RunAsync<T>(string systemName, Func<ActorSystem, IActorRef, Task<T>> work)
    {
        var system = PersistenceTestConfig.StartSystem(systemName, _folder.Path);
        try
        {
            return await work(system, system.ActorOf(CounterActor.Props("counter-1"), "counter"));
        }
        finally
        {
            await system.Terminate();
            Assert.False(RocksDbDatabase.IsOpen(Path.GetFullPath(_folder.Path)));
        }
    }

    private async Task<long> IncrementAsync(ActorSystem system, IActorRef counter, int delta)
    {
        var probe = CreateTestProbe(system);
        counter.Tell(new CounterProtocol.Increment(delta), probe.Ref);
        return (await probe.ExpectMsgAsync<CounterProtocol.Incremented>()).SequenceNr;
    }

    private async Task<CounterProtocol.State> GetStateAsync(ActorSystem system, IActorRef counter)
    {
        var probe = CreateTestProbe(system);
        counter.Tell(new CounterProtocol.GetState(), probe.Ref);
        return await probe.ExpectMsgAsync<CounterProtocol.State>();
    }
}
