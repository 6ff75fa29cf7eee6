using System.Diagnostics;
using System.Text;
using MwgActors.Client;
using MwgActors.Protocol;

namespace MwgActors.Cluster.Tests;

/// <summary>Writes key after key under its own prefix through one client until stopped, recording each acknowledgement.</summary>
internal sealed class ContinuousWriter
{
    private readonly MwgClient _client;
    private readonly object _gate = new();
    private readonly List<(string Key, long Revision, long AckedAtTicks)> _acked = [];
    private readonly List<Exception> _failures = [];

    public ContinuousWriter(string name, MwgClient client)
    {
        Name = name;
        _client = client;
    }

    public string Name { get; }

    public int AckedCount
    {
        get
        {
            lock (_gate)
            {
                return _acked.Count;
            }
        }
    }

    public IReadOnlyList<(string Key, long Revision, long AckedAtTicks)> Acked
    {
        get
        {
            lock (_gate)
            {
                return [.. _acked];
            }
        }
    }

    public IReadOnlyList<Exception> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    public static string ValueOf(string key) => "value of " + key;

    public async Task RunAsync(CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = $"fo/{Name}/{i:D5}";
            try
            {
                var revision = await _client.PutAsync([new KeyValue(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(ValueOf(key)))], CancellationToken.None); // a stop lets the write in flight finish
                lock (_gate)
                {
                    _acked.Add((key, revision, Stopwatch.GetTimestamp()));
                }
            }
            catch (MwgClientException ex)
            {
                lock (_gate)
                {
                    _failures.Add(ex);
                }
            }
        }
    }

    /// <summary>The longest time between two acknowledgements after <paramref name="sinceTicks"/> (the window without writes).</summary>
    public TimeSpan LongestPauseAfter(long sinceTicks)
    {
        var times = Acked.Select(a => a.AckedAtTicks).Where(t => t >= sinceTicks).Prepend(sinceTicks).ToArray();
        var longest = TimeSpan.Zero;
        for (var i = 1; i < times.Length; i++)
        {
            var gap = Stopwatch.GetElapsedTime(times[i - 1], times[i]);
            longest = gap > longest ? gap : longest;
        }

        return longest;
    }
}

/// <summary>Records the revisions a subscription delivers, to check them for gaps and duplicates.</summary>
internal sealed class RevisionRecorder
{
    private readonly object _gate = new();
    private readonly List<long> _revisions = [];
    private readonly Dictionary<long, string> _keys = [];

    public RevisionRecorder(ClientSubscription subscription)
    {
        StartedAfter = subscription.LastRevision;
        subscription.EventReceived += (_, e) =>
        {
            if (e is ChangesReceived changes)
            {
                lock (_gate)
                {
                    _revisions.Add(changes.Revision);
                    _keys[changes.Revision] = Encoding.UTF8.GetString(changes.Changes[0].Key);
                }
            }
        };
    }

    /// <summary>The revision the subscription became live at: it delivers every later one.</summary>
    public long StartedAfter { get; }

    public long Last
    {
        get
        {
            lock (_gate)
            {
                return _revisions.Count == 0 ? StartedAfter : _revisions[^1];
            }
        }
    }

    public IReadOnlyList<long> Revisions
    {
        get
        {
            lock (_gate)
            {
                return [.. _revisions];
            }
        }
    }

    public string? KeyAt(long revision)
    {
        lock (_gate)
        {
            return _keys.GetValueOrDefault(revision);
        }
    }
}
