using System.Diagnostics.Metrics;
using System.Text;

namespace MwgActors.Gateway.Metrics;

/// <summary>
/// Listens to the instruments of one <see cref="Meter"/> instance (not every meter of its name: two actor systems in
/// one process keep apart figures) and writes their current values in the Prometheus text format.
/// </summary>
/// <remarks>
/// Measurements arrive on the recording threads (the actors): each instrument finds its series without a lock once
/// the series exists, and adds with <see cref="Interlocked"/>. Observable instruments are read when
/// <see cref="Collect"/> runs, under its lock, which only concurrent scrapes contend for.
/// </remarks>
internal sealed class MetricsCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Meter _meter;
    private readonly Lock _collect = new();
    private readonly List<InstrumentMetrics> _instruments = [];

    public MetricsCollector(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        _listener.InstrumentPublished = OnPublished;
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentMetrics)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentMetrics)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentMetrics)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument's series in the Prometheus text format, instruments in name order.</summary>
    public string Collect()
    {
        lock (_collect)
        {
            foreach (var instrument in _instruments)
            {
                instrument.BeginObservation();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder(4096);
            foreach (var instrument in _instruments.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                instrument.WriteTo(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnPublished(Instrument instrument, MeterListener listener)
    {
        if (!ReferenceEquals(instrument.Meter, _meter) || InstrumentMetrics.Create(instrument) is not { } metrics)
        {
            return;
        }

        lock (_collect)
        {
            _instruments.Add(metrics);
        }

        listener.EnableMeasurementEvents(instrument, metrics);
    }
}
