using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace MwgActors.Actors.Tests.Diagnostics;

/// <summary>Records every measurement of one meter instance, with a MeterListener as an exporter would.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MeasurementRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>The sum of the measurements of <paramref name="instrument"/> that carry all of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Sum(m => m.Value);

    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Count();

    /// <summary>Asks the observable instruments for their values now, and returns the one that carries <paramref name="tags"/>.</summary>
    public double Observe(string instrument, params (string Key, string Value)[] tags)
    {
        _measurements.Clear();
        _listener.RecordObservableInstruments();
        return Assert.Single(Matching(instrument, tags)).Value;
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument
            && tags.All(t => m.Tags.Any(tag => tag.Key == t.Key && Equals(tag.Value, t.Value))));
}
