using System.Text;
using Akka.Actor;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Client;
using Xunit.Sdk;

namespace MwgActors.TestKit;

/// <summary>
/// MwgActors in a spec's actor system, with helpers to write and read keys, expectations on the changes
/// (<see cref="ExpectChangeAsync(string, Func{MwgChange, bool}?, TimeSpan?, CancellationToken)"/>) and a loopback
/// server for end-to-end specs. <see cref="MwgSpec"/> holds one; use it directly from a spec base of your own.
/// Keys and values given as strings are UTF-8.
/// </summary>
public sealed class MwgHarness : IAsyncDisposable
{
    private readonly ChangeLog _log;
    private readonly SemaphoreSlim _serverGate = new(1, 1);
    private MwgLoopbackServer? _server;
    private int _disposed;

    /// <summary>Attaches to <paramref name="system"/>: MwgActors already running there, or started with its configuration.</summary>
    public MwgHarness(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        Mwg = system.UseMwgActors();
        _log = new ChangeLog(Mwg.Store);
    }

    public ActorSystem System { get; }

    /// <summary>The extension: the actors' references and settings.</summary>
    public MwgActorsExtension Mwg { get; }

    /// <summary>The in-process API, the same one an embedding app gets.</summary>
    public MwgStore Store => Mwg.Store;

    /// <summary>How long expectations wait when given no timeout (10 s: specs run on loaded CI machines).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Every change seen since revision 0, consumed by an expectation or not.</summary>
    public IReadOnlyList<MwgChange> Changes => _log.Changes;

    /// <summary>Waits until the storage has recovered, then starts recording changes (from revision 0, so none is missed).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await Mwg.WaitUntilReadyAsync(DefaultTimeout, cancellationToken);
        await _log.StartAsync(cancellationToken);
    }

    /// <summary>Writes one key and returns the revision of the write.</summary>
    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken = default) =>
        Store.PutAsync([new(Utf8(key), Utf8(value))], cancellationToken);

    /// <summary>Writes the pairs as one atomic batch and returns its revision.</summary>
    public Task<long> PutAsync(IEnumerable<KeyValuePair<string, string>> pairs, CancellationToken cancellationToken = default) =>
        Store.PutAsync([.. pairs.Select(p => new KeyValuePair<byte[], byte[]>(Utf8(p.Key), Utf8(p.Value)))], cancellationToken);

    /// <summary>Removes the keys as one atomic batch and returns its revision.</summary>
    public Task<long> RemoveAsync(params string[] keys) => Store.RemoveAsync([.. keys.Select(Utf8)]);

    /// <summary>The value of a key, or null when it is missing.</summary>
    public async Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var value = (await Store.GetAsync([Utf8(key)], cancellationToken))[0];
        return value is null ? null : Encoding.UTF8.GetString(value);
    }

    /// <summary>
    /// The next change under <paramref name="prefix"/> (that <paramref name="where"/> accepts) that no expectation
    /// took yet, written by anyone (the spec, its actors, a remote client) since the harness started; waits for it
    /// up to <paramref name="timeout"/> (<see cref="DefaultTimeout"/>). Changes that do not match stay for later
    /// expectations. A batch of several keys is several changes with one revision.
    /// </summary>
    /// <exception cref="XunitException">No such change within the timeout; the message lists what was seen.</exception>
    public Task<MwgChange> ExpectChangeAsync(string prefix, Func<MwgChange, bool>? where = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ExpectChangeAsync(Utf8(prefix), where, timeout, cancellationToken);

    /// <inheritdoc cref="ExpectChangeAsync(string, Func{MwgChange, bool}?, TimeSpan?, CancellationToken)"/>
    public async Task<MwgChange> ExpectChangeAsync(byte[] prefix, Func<MwgChange, bool>? where = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await _log.StartAsync(cancellationToken);
        var wait = timeout ?? DefaultTimeout;
        var change = await _log.TakeAsync(c => Matches(c, prefix, where), wait, cancellationToken);
        return change ?? throw new XunitException(
            $"expected a change under '{Describe(prefix)}'{(where is null ? string.Empty : " matching the condition")} within {wait.TotalSeconds:0.###} s; " +
            $"changes seen: {Summary(_log.Changes)}");
    }

    /// <summary>
    /// Asserts that no change under <paramref name="prefix"/> that no expectation took arrives within
    /// <paramref name="duration"/> (it waits that long: keep it short, and prefer expecting the change that
    /// follows).
    /// </summary>
    /// <exception cref="XunitException">Such a change arrived; the message names it.</exception>
    public async Task ExpectNoChangeAsync(string prefix, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var bytes = Utf8(prefix);
        await _log.StartAsync(cancellationToken);
        await Task.Delay(duration, cancellationToken);
        var unexpected = _log.Peek(c => Matches(c, bytes, null));
        if (unexpected.Count > 0)
        {
            throw new XunitException($"expected no change under '{prefix}' but saw {Summary(unexpected)}");
        }
    }

    /// <summary>
    /// The next forced reload (<see cref="MwgStore.ForceReloadAsync"/>, <c>POST /admin/reload</c>) that names a key
    /// or prefix starting with <paramref name="prefix"/>: the keys and prefixes it named, as UTF-8 text.
    /// </summary>
    /// <exception cref="XunitException">No such reload within the timeout.</exception>
    public async Task<IReadOnlyList<string>> ExpectReloadAsync(string prefix, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var bytes = Utf8(prefix);
        await _log.StartAsync(cancellationToken);
        var wait = timeout ?? DefaultTimeout;
        var reload = await _log.TakeReloadAsync(k => k.AsSpan().StartsWith(bytes), wait, cancellationToken)
            ?? throw new XunitException($"expected a forced reload of '{prefix}' within {wait.TotalSeconds:0.###} s");
        return [.. reload.Select(k => Encoding.UTF8.GetString(k))];
    }

    /// <summary>The loopback server of this harness (started on first use; one per harness).</summary>
    public async Task<MwgLoopbackServer> StartServerAsync(CancellationToken cancellationToken = default)
    {
        await _serverGate.WaitAsync(cancellationToken);
        try
        {
            return _server ??= await MwgLoopbackServer.StartAsync(System, cancellationToken);
        }
        finally
        {
            _serverGate.Release();
        }
    }

    /// <summary>A new client connected to the loopback server (started if needed); disposed with the harness.</summary>
    public async Task<MwgClient> ConnectClientAsync(Func<MwgClientOptions, MwgClientOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var server = await StartServerAsync(cancellationToken);
        return await server.ConnectClientAsync(configure, cancellationToken);
    }

    /// <summary>Disposes the clients, stops the loopback server and the change recording; the actor system keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }

        await _log.DisposeAsync();
        _serverGate.Dispose();
    }

    private static bool Matches(MwgChange change, byte[] prefix, Func<MwgChange, bool>? where) =>
        change.KeyBytes.AsSpan().StartsWith(prefix) && (where is null || where(change));

    private static string Summary(IReadOnlyList<MwgChange> changes) =>
        changes.Count == 0
            ? "none"
            : string.Join(", ", changes.TakeLast(20)) + (changes.Count > 20 ? $" (last 20 of {changes.Count})" : string.Empty);

    private static string Describe(byte[] prefix) => Encoding.UTF8.GetString(prefix);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
