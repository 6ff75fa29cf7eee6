using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace MwgActors.Gateway.Metrics;

/// <summary>
/// The series of one instrument (one per distinct tag set) and how to print them: a counter (monotonic sum), a gauge
/// (up-down sums and last values) or a histogram with cumulative buckets.
/// </summary>
internal sealed class InstrumentMetrics
{
    // OpenTelemetry's default bounds, for a histogram that gives no advice.
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly Aggregation _aggregation;
    private readonly bool _observable;
    private readonly double[] _bounds;
    private readonly string _help;

    // Lock-free lookup from the tags as recorded; the series themselves by their printed labels (one per label set,
    // whatever the order the tags came in).
    private readonly ConcurrentDictionary<TagKey, Series> _byTags = new();
    private readonly Dictionary<string, Series> _byLabels = new(StringComparer.Ordinal);
    private readonly Lock _adding = new();

    private InstrumentMetrics(Instrument instrument, Aggregation aggregation, double[] bounds)
    {
        _aggregation = aggregation;
        _observable = instrument.IsObservable;
        _bounds = bounds;
        _help = PrometheusText.Help(instrument.Description ?? instrument.Name);
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, aggregation == Aggregation.Counter);
    }

    private enum Aggregation
    {
        Counter,
        UpDown,
        LastValue,
        Histogram,
    }

    /// <summary>The Prometheus metric name (<c>mwg_requests_total</c>).</summary>
    public string Name { get; }

    /// <summary>Null for an instrument kind this collector does not know.</summary>
    public static InstrumentMetrics? Create(Instrument instrument)
    {
        var kind = instrument.GetType().IsGenericType ? instrument.GetType().GetGenericTypeDefinition() : null;
        var aggregation =
            kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>) ? Aggregation.Counter
            : kind == typeof(UpDownCounter<>) || kind == typeof(ObservableUpDownCounter<>) ? Aggregation.UpDown
            : kind == typeof(Gauge<>) || kind == typeof(ObservableGauge<>) ? Aggregation.LastValue
            : kind == typeof(Histogram<>) ? Aggregation.Histogram
            : (Aggregation?)null;
        if (aggregation is not { } known)
        {
            return null;
        }

        var bounds = instrument switch
        {
            Histogram<double> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised => [.. advised],
            Histogram<long> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised => [.. advised.Select(b => (double)b)],
            Histogram<int> h when h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised => [.. advised.Select(b => (double)b)],
            _ => DefaultBounds,
        };
        return new InstrumentMetrics(instrument, known, bounds);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = Find(tags);
        switch (_aggregation)
        {
            case Aggregation.Counter or Aggregation.UpDown when !_observable:
                Series.Add(ref series.Value, value);
                break;
            case Aggregation.Histogram:
                series.Observe(value, _bounds);
                break;
            default:
                // Observable instruments report absolute values; a gauge keeps the last one.
                Interlocked.Exchange(ref series.Value, BitConverter.DoubleToInt64Bits(value));
                break;
        }
    }

    /// <summary>Observable instruments start each collection empty: a series no callback reports any more is gone.</summary>
    public void BeginObservation()
    {
        if (!_observable)
        {
            return;
        }

        lock (_adding)
        {
            _byTags.Clear();
            _byLabels.Clear();
        }
    }

    public void WriteTo(StringBuilder text)
    {
        KeyValuePair<string, Series>[] series;
        lock (_adding)
        {
            series = [.. _byLabels.OrderBy(s => s.Key, StringComparer.Ordinal)];
        }

        if (series.Length == 0)
        {
            return;
        }

        var type = _aggregation switch
        {
            Aggregation.Counter => "counter",
            Aggregation.Histogram => "histogram",
            _ => "gauge",
        };
        text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
        foreach (var (labels, one) in series)
        {
            if (_aggregation == Aggregation.Histogram)
            {
                WriteHistogram(text, labels, one);
            }
            else
            {
                text.Append(Name).Append(labels).Append(' ')
                    .Append(PrometheusText.Number(BitConverter.Int64BitsToDouble(Volatile.Read(ref one.Value)))).Append('\n');
            }
        }
    }

    private void WriteHistogram(StringBuilder text, string labels, Series series)
    {
        // Buckets are read once, and +Inf and _count are their total, so the three always agree.
        long cumulative = 0;
        for (var i = 0; i <= _bounds.Length; i++)
        {
            cumulative += Volatile.Read(ref series.Buckets![i]);
            var bound = i < _bounds.Length ? PrometheusText.Number(_bounds[i]) : "+Inf";
            text.Append(Name).Append("_bucket");
            AppendLabels(text, labels, $"le=\"{bound}\"");
            text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append(Name).Append("_sum").Append(labels).Append(' ')
            .Append(PrometheusText.Number(BitConverter.Int64BitsToDouble(Volatile.Read(ref series.Value)))).Append('\n');
        text.Append(Name).Append("_count").Append(labels).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void AppendLabels(StringBuilder text, string labels, string extra)
    {
        if (labels.Length == 0)
        {
            text.Append('{').Append(extra).Append('}');
        }
        else
        {
            text.Append(labels, 0, labels.Length - 1).Append(',').Append(extra).Append('}');
        }
    }

    private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new TagKey(tags);
        if (_byTags.TryGetValue(key, out var found))
        {
            return found;
        }

        // A new tag set: rare (tag values are few), so a lock and some allocation are fine here.
        var labels = FormatLabels(tags);
        lock (_adding)
        {
            if (!_byLabels.TryGetValue(labels, out var series))
            {
                series = new Series(_aggregation == Aggregation.Histogram ? _bounds.Length + 1 : 0);
                _byLabels.Add(labels, series);
            }

            _byTags[key] = series;
            return series;
        }
    }

    private static string FormatLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var sorted = tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal);
        var text = new StringBuilder("{");
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 1)
            {
                text.Append(',');
            }

            text.Append(PrometheusText.Sanitize(key)).Append("=\"");
            PrometheusText.AppendLabelValue(text, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            text.Append('"');
        }

        return text.Append('}').ToString();
    }

    /// <summary>One series' state; doubles are kept as their bits so they can be updated with Interlocked.</summary>
    private sealed class Series(int buckets)
    {
        /// <summary>The sum (counters, up-down counters, a histogram's _sum) or the last value (gauges).</summary>
        public long Value;

        public readonly long[]? Buckets = buckets > 0 ? new long[buckets] : null;

        public static void Add(ref long bits, double delta)
        {
            long seen, updated;
            do
            {
                seen = Volatile.Read(ref bits);
                updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + delta);
            }
            while (Interlocked.CompareExchange(ref bits, updated, seen) != seen);
        }

        public void Observe(double value, double[] bounds)
        {
            // Prometheus buckets are upper-inclusive: the first bound at or above the value.
            var index = Array.BinarySearch(bounds, value);
            Interlocked.Increment(ref Buckets![index >= 0 ? index : ~index]);
            Add(ref Value, value);
        }
    }

    /// <summary>
    /// A tag set as a dictionary key: up to three tags inline, without allocating (every instrument of MwgActors has
    /// at most two); more are copied into an array.
    /// </summary>
    private readonly struct TagKey : IEquatable<TagKey>
    {
        private readonly int _count;
        private readonly KeyValuePair<string, object?> _a;
        private readonly KeyValuePair<string, object?> _b;
        private readonly KeyValuePair<string, object?> _c;
        private readonly KeyValuePair<string, object?>[]? _more;

        public TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            _count = tags.Length;
            _a = tags.Length > 0 ? tags[0] : default;
            _b = tags.Length > 1 ? tags[1] : default;
            _c = tags.Length > 2 ? tags[2] : default;
            _more = tags.Length > 3 ? tags.ToArray() : null;
        }

        public bool Equals(TagKey other)
        {
            if (_count != other._count)
            {
                return false;
            }

            if (_more is not null)
            {
                return _more.AsSpan().SequenceEqual(other._more, Comparer.Instance);
            }

            return Same(_a, other._a) && Same(_b, other._b) && Same(_c, other._c);
        }

        public override bool Equals(object? obj) => obj is TagKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = default(HashCode);
            hash.Add(_count);
            if (_more is not null)
            {
                foreach (var tag in _more)
                {
                    hash.Add(tag.Key, StringComparer.Ordinal);
                    hash.Add(tag.Value);
                }
            }
            else
            {
                hash.Add(_a.Key, StringComparer.Ordinal);
                hash.Add(_a.Value);
                hash.Add(_b.Key, StringComparer.Ordinal);
                hash.Add(_b.Value);
                hash.Add(_c.Key, StringComparer.Ordinal);
                hash.Add(_c.Value);
            }

            return hash.ToHashCode();
        }

        private static bool Same(KeyValuePair<string, object?> x, KeyValuePair<string, object?> y) =>
            string.Equals(x.Key, y.Key, StringComparison.Ordinal) && Equals(x.Value, y.Value);

        private sealed class Comparer : IEqualityComparer<KeyValuePair<string, object?>>
        {
            public static readonly Comparer Instance = new();

            public bool Equals(KeyValuePair<string, object?> x, KeyValuePair<string, object?> y) => Same(x, y);

            public int GetHashCode(KeyValuePair<string, object?> obj) => HashCode.Combine(obj.Key, obj.Value);
        }
    }
}
