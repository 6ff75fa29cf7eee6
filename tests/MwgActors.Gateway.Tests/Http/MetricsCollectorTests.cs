using System.Diagnostics.Metrics;
using MwgActors.Gateway.Metrics;

namespace MwgActors.Gateway.Tests;

/// <summary>The Prometheus text the collector writes for each kind of instrument, on a meter of the test's own.</summary>
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly Meter _meter = new("MwgActors.Tests." + Guid.NewGuid().ToString("N"));

    public void Dispose() => _meter.Dispose();

    [Fact]
    public void A_counter_should_be_one_series_per_tag_set_whatever_the_tag_order()
    {
        var counter = _meter.CreateCounter<long>("mwg.things", "{thing}", "Things done.");
        using var collector = new MetricsCollector(_meter);

        counter.Add(2, new("type", "a"), new("outcome", "ok"));
        counter.Add(3, new("outcome", "ok"), new("type", "a"));
        counter.Add(1, new("type", "b"), new("outcome", "ok"));

        Assert.Equal(
            """
            # HELP mwg_things_total Things done.
            # TYPE mwg_things_total counter
            mwg_things_total{outcome="ok",type="a"} 5
            mwg_things_total{outcome="ok",type="b"} 1

            """.ReplaceLineEndings("\n"),
            collector.Collect());
    }

    [Fact]
    public void A_histogram_should_have_cumulative_buckets_from_its_advice_with_sum_and_count()
    {
        var histogram = _meter.CreateHistogram("mwg.wait", "s", "Waits.", tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 1] });
        using var collector = new MetricsCollector(_meter);

        // Bounds are inclusive: 0.25 falls in the first bucket.
        histogram.Record(0.125);
        histogram.Record(0.25);
        histogram.Record(0.5);
        histogram.Record(7);

        Assert.Equal(
            """
            # HELP mwg_wait_seconds Waits.
            # TYPE mwg_wait_seconds histogram
            mwg_wait_seconds_bucket{le="0.25"} 2
            mwg_wait_seconds_bucket{le="1"} 3
            mwg_wait_seconds_bucket{le="+Inf"} 4
            mwg_wait_seconds_sum 7.875
            mwg_wait_seconds_count 4

            """.ReplaceLineEndings("\n"),
            collector.Collect());
    }

    [Fact]
    public void Observable_gauges_should_show_only_what_their_callback_reports_now_and_escape_label_values()
    {
        var readings = new List<Measurement<long>> { new(10, new KeyValuePair<string, object?>("family", "a\"b\\c\nd")) };
        _meter.CreateObservableGauge("mwg.size", () => readings.ToArray(), "By", "Size\nin bytes.");
        _meter.CreateObservableUpDownCounter("mwg.open", () => 3L, "{connection}");
        using var collector = new MetricsCollector(_meter);

        var first = collector.Collect();
        readings.Clear();
        var second = collector.Collect();

        Assert.Contains("# HELP mwg_size_bytes Size\\nin bytes.\n# TYPE mwg_size_bytes gauge\n", first, StringComparison.Ordinal);
        Assert.Contains("mwg_size_bytes{family=\"a\\\"b\\\\c\\nd\"} 10\n", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE mwg_open gauge\nmwg_open 3\n", first, StringComparison.Ordinal);
        Assert.DoesNotContain("mwg_size_bytes", second, StringComparison.Ordinal);
        Assert.Contains("mwg_open 3\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Instruments_of_another_meter_of_the_same_name_should_not_show()
    {
        using var twin = new Meter(_meter.Name);
        var twinCounter = twin.CreateCounter<long>("mwg.things");
        var counter = _meter.CreateCounter<long>("mwg.things");
        using var collector = new MetricsCollector(_meter);

        counter.Add(1);
        twinCounter.Add(100);
        twin.CreateCounter<long>("mwg.twin.late").Add(1);
        var text = collector.Collect();

        Assert.Contains("mwg_things_total 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("100", text, StringComparison.Ordinal);
        Assert.DoesNotContain("twin", text, StringComparison.Ordinal);
    }
}
