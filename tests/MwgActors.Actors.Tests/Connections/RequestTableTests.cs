using Microsoft.Extensions.Time.Testing;
using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>Pending requests by correlation id, their deadlines, and how often the sweep runs.</summary>
public sealed class RequestTableTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Every_request_should_get_its_own_correlation_id_and_be_completed_once()
    {
        var table = NewTable();
        var get = table.Add(Id(1), RequestKind.Get, 0);
        var subscribe = table.Add(Id(2), RequestKind.Subscribe, 0);
        var unlock = table.Add(Id(3), RequestKind.Unlock, 0);

        Assert.Equal(3, new[] { get, subscribe, unlock }.Distinct().Count());
        Assert.True(table.TryComplete(subscribe, out var pending));
        Assert.Equal((Id(2), RequestKind.Subscribe), (pending.Id, pending.Kind));
        Assert.False(table.TryComplete(subscribe, out _));
        Assert.Equal(2, table.Count);
    }

    [Fact]
    public void The_sweep_should_take_out_exactly_the_requests_past_their_deadline()
    {
        var table = NewTable();
        var early = table.Add(Id(1), RequestKind.Put, 0);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var late = table.Add(Id(2), RequestKind.Lock, 0);
        var expired = new List<KeyValuePair<long, PendingRequest>>();

        _clock.Advance(TimeSpan.FromSeconds(1));
        table.Sweep(expired);
        Assert.Empty(expired); // a deadline reached is not passed yet

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        table.Sweep(expired);
        Assert.Equal([early], expired.Select(e => e.Key));
        Assert.False(table.TryComplete(early, out _)); // a late reply finds nothing

        _clock.Advance(TimeSpan.FromSeconds(1));
        table.Sweep(expired);
        Assert.Equal([late], expired.Select(e => e.Key));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void The_sweep_should_return_the_expired_requests_in_the_order_they_were_asked()
    {
        var table = NewTable();
        var first = table.Add(Id(1), RequestKind.Get, 0);
        var second = table.Add(Id(2), RequestKind.Put, 0);
        var third = table.Add(Id(3), RequestKind.Lock, 0);
        Assert.True(table.TryComplete(first, out _));
        var fourth = table.Add(Id(4), RequestKind.Subscribe, 0); // takes the slot the first freed
        var expired = new List<KeyValuePair<long, PendingRequest>>();

        _clock.Advance(Timeout + TimeSpan.FromMilliseconds(1));
        table.Sweep(expired);
        Assert.Equal([second, third, fourth], expired.Select(e => e.Key));
        Assert.Equal([Id(2), Id(3), Id(4)], expired.Select(e => e.Value.Id));
    }

    [Fact]
    public void The_sweep_should_run_fast_while_anything_is_pending_and_slow_again_once_a_sweep_finds_none()
    {
        var table = NewTable();
        Assert.Null(table.SweepIntervalChange()); // the timer starts slow

        var first = table.Add(Id(1), RequestKind.Get, 0);
        Assert.Equal(table.FastSweep, table.SweepIntervalChange());
        table.Add(Id(2), RequestKind.Get, 0);
        Assert.Null(table.SweepIntervalChange()); // already fast: the timer is not restarted per request

        var expired = new List<KeyValuePair<long, PendingRequest>>();
        table.TryComplete(first, out _);
        table.Sweep(expired);
        Assert.Null(table.SweepIntervalChange()); // one still pending

        _clock.Advance(Timeout + TimeSpan.FromMilliseconds(1));
        table.Sweep(expired);
        Assert.Single(expired);
        Assert.Equal(table.SlowSweep, table.SweepIntervalChange());
        Assert.Null(table.SweepIntervalChange());

        table.Add(Id(3), RequestKind.Get, 0);
        Assert.Equal(table.FastSweep, table.SweepIntervalChange());
    }

    [Fact]
    public void A_completion_alone_should_not_slow_the_sweep_before_the_next_sweep()
    {
        var table = NewTable();
        var only = table.Add(Id(1), RequestKind.Get, 0);
        table.SweepIntervalChange();
        table.TryComplete(only, out _);

        Assert.Null(table.SweepIntervalChange());
        table.Sweep([]);
        Assert.Equal(table.SlowSweep, table.SweepIntervalChange());
    }

    [Theory]
    [InlineData(30_000, 0, 1_000, 5_000)] // fast: a quarter of the timeout, at most 1 s; slow: the lease renewal
    [InlineData(100, 0, 50, 5_000)] // fast: at least 50 ms
    [InlineData(30_000, 8_000, 1_000, 2_000)] // slow: a quarter of the idle timeout when that is sooner
    [InlineData(2_000, 1_000, 500, 500)] // slow: never faster than fast
    public void Sweep_intervals_should_follow_the_request_timeout_the_idle_timeout_and_lease_renewal(int timeoutMs, int idleMs, int fastMs, int slowMs)
    {
        var table = new RequestTable(TimeSpan.FromMilliseconds(timeoutMs), TimeSpan.FromMilliseconds(idleMs), LeaseRenewal.Interval, _clock);

        Assert.Equal((TimeSpan.FromMilliseconds(fastMs), TimeSpan.FromMilliseconds(slowMs)), (table.FastSweep, table.SlowSweep));
    }

    private static RequestId Id(int n) => RequestId.FromString(n.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private RequestTable NewTable() => new(Timeout, TimeSpan.Zero, LeaseRenewal.Interval, _clock);
}
