using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using MwgActors.Actors.PubSub;
using MwgActors.Actors.Subscriptions;
using MwgActors.Storage;
using static MwgActors.Actors.Storage.StorageProtocol;
using static MwgActors.Actors.Subscriptions.SubscriptionProtocol;

namespace MwgActors.Actors.Tests.Subscriptions;

/// <summary>A subscription actor fed by <see cref="TestStorageWriter"/> through a local change bus, with helpers.</summary>
public abstract class SubscriptionSpecBase : TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    protected SubscriptionSpecBase(Config config, string? systemName = null)
        : base(config, systemName)
    {
        Bus = new LocalChangeBus(Sys);
        Writer = Sys.ActorOf(TestStorageWriter.Props(Bus), "storage");
        Writes = CreateTestProbe("writes");
    }

    protected IChangeBus Bus { get; }

    /// <summary>The stand-in storage actor.</summary>
    protected IActorRef Writer { get; }

    /// <summary>Receives the writer's BatchCommitted replies.</summary>
    protected TestProbe Writes { get; }

    protected IActorRef StartSubscriptions(Func<SubscriptionSettings, SubscriptionSettings>? adjust = null)
    {
        var settings = SubscriptionSettings.Create(SubscriptionTestConfig.ActorSystem);
        return Sys.ActorOf(SubscriptionActor.Props(adjust is null ? settings : adjust(settings), Bus));
    }

    protected async Task SubscribeAsync(IActorRef subs, TestProbe subscriber, long id, string[] prefixes, bool includeValues = false)
    {
        subs.Tell(new OpenSubscription(id, prefixes.Select(Utf8).ToArray(), null, includeValues, subscriber.Ref), TestActor);
        Assert.Equal(id, (await ExpectMsgAsync<SubscriptionOpened>()).SubscriptionId);
    }

    protected async Task<long> WriteAsync(params (string Key, string? Value)[] operations)
    {
        Writer.Tell(Batch(operations), Writes);
        return (await Writes.ExpectMsgAsync<BatchCommitted>()).Revision;
    }

    protected static WriteBatch Batch(params (string Key, string? Value)[] operations) =>
        new(operations.Select(o => new BatchOperation(Utf8(o.Key), o.Value is null ? null : Utf8(o.Value))).ToArray());

    protected static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    protected static void AssertChanges(SubscribedKeysChanged notification, params (string Key, bool Removed, string? Value)[] expected) =>
        Assert.Equal(
            expected,
            notification.Changes.Select(c => (
                Encoding.UTF8.GetString(c.Key),
                c.Removed,
                c.Value is null ? null : Encoding.UTF8.GetString(c.Value))));

    protected static void AssertReload(ReloadRequired reload, long subscriptionId, params string[] items)
    {
        Assert.Equal(subscriptionId, reload.SubscriptionId);
        Assert.Equal(items, reload.KeysOrPrefixes.Select(i => Encoding.UTF8.GetString(i)));
    }
}
