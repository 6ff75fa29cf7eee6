using Akka.Configuration;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Client;
using Xunit;
using Xunit.Abstractions;

namespace MwgActors.TestKit;

/// <summary>
/// A base for specs of code that uses MwgActors, on Akka.TestKit.Xunit2: the spec's actor system
/// (<c>Sys</c>) runs MwgActors on an in-memory store (nothing is shared between specs), <see cref="Harness"/>
/// records every change, and the helpers below write keys, await changes and connect real clients through a
/// loopback server. Everything the harness started is stopped after each test. See docs/testkit.md.
/// </summary>
public abstract class MwgSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <summary>An in-memory MwgActors with Akka's defaults for specs.</summary>
    protected MwgSpec(ITestOutputHelper? output = null)
        : this(Config.Empty, output)
    {
    }

    /// <summary>With <paramref name="hocon"/> over the in-memory defaults (any <c>mwg.*</c> or <c>akka.*</c> key).</summary>
    protected MwgSpec(string hocon, ITestOutputHelper? output = null)
        : this(ConfigurationFactory.ParseString(hocon), output)
    {
    }

    /// <summary>With <paramref name="config"/> over the in-memory defaults.</summary>
    protected MwgSpec(Config config, ITestOutputHelper? output = null)
        : base(CreateConfig(config), "mwg-spec", output)
    {
        Harness = new MwgHarness(Sys)
        {
            DefaultTimeout = Dilated(TimeSpan.FromSeconds(10)),
        };
    }

    /// <summary>MwgActors in <c>Sys</c>, its change recording and its loopback server.</summary>
    protected MwgHarness Harness { get; }

    /// <summary>The in-process API.</summary>
    protected MwgStore Store => Harness.Store;

    /// <summary>
    /// The configuration a spec's system gets: <paramref name="user"/> over an in-memory store, over reference.conf,
    /// built as the server builds it (<see cref="MwgConfig.Build"/>).
    /// </summary>
    public static Config CreateConfig(Config? user = null)
    {
        var defaults = ConfigurationFactory.ParseString("mwg.storage.store = memory");
        return MwgConfig.Build(user is null || user.IsEmpty ? defaults : user.WithFallback(defaults));
    }

    /// <summary>Waits until MwgActors has recovered and starts recording changes. Override to add your own setup (call this first).</summary>
    public virtual Task InitializeAsync() => Harness.StartAsync();

    /// <summary>Stops the loopback server, its clients and the recording; the TestKit then shuts the system down.</summary>
    public virtual async Task DisposeAsync() => await Harness.DisposeAsync();

    /// <inheritdoc cref="MwgHarness.PutAsync(string, string, CancellationToken)"/>
    protected Task<long> PutAsync(string key, string value) => Harness.PutAsync(key, value);

    /// <inheritdoc cref="MwgHarness.PutAsync(IEnumerable{KeyValuePair{string, string}}, CancellationToken)"/>
    protected Task<long> PutAsync(params KeyValuePair<string, string>[] pairs) => Harness.PutAsync(pairs);

    /// <inheritdoc cref="MwgHarness.RemoveAsync"/>
    protected Task<long> RemoveAsync(params string[] keys) => Harness.RemoveAsync(keys);

    /// <inheritdoc cref="MwgHarness.GetAsync"/>
    protected Task<string?> GetAsync(string key) => Harness.GetAsync(key);

    /// <inheritdoc cref="MwgHarness.ExpectChangeAsync(string, Func{MwgChange, bool}?, TimeSpan?, CancellationToken)"/>
    protected Task<MwgChange> ExpectChangeAsync(string prefix, Func<MwgChange, bool>? where = null, TimeSpan? timeout = null) =>
        Harness.ExpectChangeAsync(prefix, where, timeout);

    /// <inheritdoc cref="MwgHarness.ExpectNoChangeAsync"/>
    protected Task ExpectNoChangeAsync(string prefix, TimeSpan duration) => Harness.ExpectNoChangeAsync(prefix, duration);

    /// <inheritdoc cref="MwgHarness.ExpectReloadAsync"/>
    protected Task<IReadOnlyList<string>> ExpectReloadAsync(string prefix, TimeSpan? timeout = null) => Harness.ExpectReloadAsync(prefix, timeout);

    /// <inheritdoc cref="MwgHarness.StartServerAsync"/>
    protected Task<MwgLoopbackServer> StartServerAsync() => Harness.StartServerAsync();

    /// <inheritdoc cref="MwgHarness.ConnectClientAsync"/>
    protected Task<MwgClient> ConnectClientAsync(Func<MwgClientOptions, MwgClientOptions>? configure = null) => Harness.ConnectClientAsync(configure);
}
