using System.Diagnostics;
using HdrHistogram;
using MwgActors.Protocol;

namespace MwgActors.LoadGen;

internal enum Op
{
    Get,
    Put,
    Remove,
    /// <summary>Fanout: from the put's ack to a subscriber's receipt (zero when the change beat the ack).</summary>
    Notify,

    /// <summary>Fanout: from the put's send to a subscriber's receipt.</summary>
    NotifySend,

    /// <summary>Connections: from the TCP connect to the server's hello.</summary>
    Connect,

    /// <summary>Connections: a ping on a connection held idle, answered.</summary>
    Ping,
}

/// <summary>
/// What one worker measured: a latency histogram (microseconds) per op, and counts. Each worker owns its
/// own (histograms are not thread-safe); the live counters are shared and updated with Interlocked.
/// </summary>
internal sealed class OpStats
{
    // Up to one minute, three significant digits.
    private const long HighestMicros = 60_000_000;

    private static readonly int OpCount = Enum.GetValues<Op>().Length;

    public LongHistogram[] Latency { get; } = [.. Enumerable.Range(0, OpCount).Select(_ => new LongHistogram(HighestMicros, 3))];

    public long[] Requests { get; } = new long[OpCount];

    public long[] Keys { get; } = new long[OpCount];

    public long Errors { get; set; }

    public static long MicrosSince(long startTimestamp) =>
        (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;

    public void Record(Op op, long micros, int keys)
    {
        Latency[(int)op].RecordValue(Math.Clamp(micros, 0, HighestMicros));
        Requests[(int)op]++;
        Keys[(int)op] += keys;
    }

    /// <summary>The workers' figures together.</summary>
    public static OpStats Sum(IEnumerable<OpStats> parts)
    {
        var total = new OpStats();
        foreach (var part in parts)
        {
            total.Add(part);
        }

        return total;
    }

    public void Add(OpStats other)
    {
        for (var i = 0; i < Latency.Length; i++)
        {
            Latency[i].Add(other.Latency[i]);
            Requests[i] += other.Requests[i];
            Keys[i] += other.Keys[i];
        }

        Errors += other.Errors;
    }
}

/// <summary>Counts every worker bumps, read once a second for the progress line.</summary>
internal sealed class LiveCounters
{
    private long _requests;
    private long _keys;
    private long _errors;

    public long Requests => Interlocked.Read(ref _requests);

    public long Keys => Interlocked.Read(ref _keys);

    public long Errors => Interlocked.Read(ref _errors);

    public void Completed(int keys)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _keys, keys);
    }

    /// <summary>The first failed reply, shown once so a run that only errors says why.</summary>
    public string? FirstError { get; private set; }

    public void Failed(Reply? reply = null)
    {
        if (Interlocked.Increment(ref _errors) == 1)
        {
            FirstError = reply switch
            {
                Error error => $"{error.Code}: {error.Reason}",
                null => "the connection closed",
                _ => reply.GetType().Name + " not ok",
            };
        }
    }
}
