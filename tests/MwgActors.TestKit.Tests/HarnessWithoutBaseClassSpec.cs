namespace MwgActors.TestKit.Tests;

/// <summary>The harness in a spec with a base class of its own, as docs/testkit.md shows it.</summary>
public sealed class HarnessWithoutBaseClassSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private readonly MwgHarness _mwg;

    public HarnessWithoutBaseClassSpec()
        : base(MwgSpec.CreateConfig()) => _mwg = new MwgHarness(Sys);

    public Task InitializeAsync() => _mwg.StartAsync();

    public async Task DisposeAsync() => await _mwg.DisposeAsync();

    [Fact]
    public async Task Something_should_be_written()
    {
        await _mwg.PutAsync("k", "v");
        Assert.Equal("v", (await _mwg.ExpectChangeAsync("k")).Value);
    }
}
