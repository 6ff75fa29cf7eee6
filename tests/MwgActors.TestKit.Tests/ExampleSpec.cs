using Akka.Actor;
using MwgActors.Actors.Api;
using MwgActors.Client;
using MwgActors.Protocol;

namespace MwgActors.TestKit.Tests;

/// <summary>
/// The example of docs/testkit.md, a spec a user could copy: an actor of the app under test (below) writes a
/// greeting through the in-process API; the spec expects the change, and a real client over a websocket sees it too.
/// </summary>
public sealed class ExampleSpec : MwgSpec
{
    [Fact]
    public async Task Greeter_should_write_the_greeting_under_greetings()
    {
        var greeter = Sys.ActorOf(Greeter.Props(Store));

        greeter.Tell(new Greeter.Greet("ada"));

        var change = await ExpectChangeAsync("greetings/");
        Assert.Equal("greetings/ada", change.Key);
        Assert.Equal("Hello, ada!", change.Value);
        Assert.Equal("Hello, ada!", await GetAsync("greetings/ada"));
    }

    [Fact]
    public async Task A_client_subscribed_over_a_websocket_should_see_the_greeting()
    {
        var client = await ConnectClientAsync();
        await using var subscription = await client.SubscribeAsync([Utf8("greetings/")], new SubscribeOptions { IncludeValues = true });
        await using var events = subscription.ReadAllAsync().GetAsyncEnumerator();

        Sys.ActorOf(Greeter.Props(Store)).Tell(new Greeter.Greet("grace"));

        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var received = Assert.IsType<ChangesReceived>(events.Current);
        Assert.Equal("Hello, grace!", Text(Assert.Single(received.Changes).Value));
    }

    [Fact]
    public async Task A_key_a_client_writes_should_reach_the_app()
    {
        var client = await ConnectClientAsync();

        await client.PutAsync([new KeyValue(Utf8("greetings/bob"), Utf8("Hi"))]);

        var change = await ExpectChangeAsync("greetings/", c => c.Key == "greetings/bob");
        Assert.Equal("Hi", change.Value);
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static string? Text(byte[]? bytes) => bytes is null ? null : System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>The app's code under test: an actor that stores a greeting per name.</summary>
    private sealed class Greeter : ReceiveActor
    {
        public Greeter(MwgStore store)
        {
            ReceiveAsync<Greet>(async greet =>
                await store.PutAsync([new(Utf8($"greetings/{greet.Name}"), Utf8($"Hello, {greet.Name}!"))]));
        }

        public static Props Props(MwgStore store) => Akka.Actor.Props.Create(() => new Greeter(store));

        public sealed record Greet(string Name);
    }
}
