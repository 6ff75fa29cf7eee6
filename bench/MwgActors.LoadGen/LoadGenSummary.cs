using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MwgActors.LoadGen;

/// <summary>One op's figures over the measured window; latencies in microseconds.</summary>
internal sealed record OpSummary(
    string Op,
    long Requests,
    long Keys,
    double RequestsPerSecond,
    double KeysPerSecond,
    long P50,
    long P90,
    long P99,
    long P999,
    long Max);

/// <summary>The result of a run, printed as a table or as JSON.</summary>
internal sealed record LoadGenSummary(
    string Scenario,
    string Settings,
    double MeasuredSeconds,
    long Requests,
    long Keys,
    double RequestsPerSecond,
    double KeysPerSecond,
    long Errors,
    string? FirstError,
    IReadOnlyList<OpSummary> Ops)
{
    /// <summary>Side-by-side comparisons, one per <c>--baseline</c>; null (and left out of the JSON) without one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<BaselineComparison>? Baselines { get; init; }

    /// <summary>The <c>connections</c> scenario's figures; null for the other scenarios.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConnectionsResult? Connections { get; init; }

    /// <summary>The <c>resume</c> scenario's figures; null for the other scenarios.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResumeResult? Resume { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static LoadGenSummary From(string scenario, string settings, double seconds, OpStats stats, string? firstError)
    {
        var ops = new List<OpSummary>();
        foreach (var op in Enum.GetValues<Op>())
        {
            var i = (int)op;
            var histogram = stats.Latency[i];
            if (histogram.TotalCount == 0)
            {
                continue;
            }

            ops.Add(new OpSummary(
                op == Op.NotifySend ? "notify-from-send" : op.ToString().ToLowerInvariant(),
                stats.Requests[i],
                stats.Keys[i],
                stats.Requests[i] / seconds,
                stats.Keys[i] / seconds,
                histogram.GetValueAtPercentile(50),
                histogram.GetValueAtPercentile(90),
                histogram.GetValueAtPercentile(99),
                histogram.GetValueAtPercentile(99.9),
                histogram.GetValueAtPercentile(100)));
        }

        // Totals count requests sent; fanout's notify receipts are not requests.
        var requests = stats.Requests[(int)Op.Get] + stats.Requests[(int)Op.Put] + stats.Requests[(int)Op.Remove];
        var keys = stats.Keys[(int)Op.Get] + stats.Keys[(int)Op.Put] + stats.Keys[(int)Op.Remove];
        return new LoadGenSummary(scenario, settings, seconds, requests, keys, requests / seconds, keys / seconds, stats.Errors, firstError, ops);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{Scenario}: {Settings}; measured {MeasuredSeconds:F1} s");
        text.AppendLine(c, $"{"op",-17}{"requests",11}{"req/s",11}{"keys/s",12}{"p50 us",9}{"p90 us",9}{"p99 us",9}{"p99.9 us",10}{"max us",9}");
        foreach (var op in Ops)
        {
            text.AppendLine(c, $"{op.Op,-17}{op.Requests,11}{op.RequestsPerSecond,11:F0}{op.KeysPerSecond,12:F0}{op.P50,9}{op.P90,9}{op.P99,9}{op.P999,10}{op.Max,9}");
        }

        text.AppendLine(c, $"{"total",-17}{Requests,11}{RequestsPerSecond,11:F0}{KeysPerSecond,12:F0}");
        text.AppendLine(c, $"errors {Errors}{(FirstError is null ? string.Empty : " (first: " + FirstError + ")")}");
        foreach (var baseline in Baselines ?? [])
        {
            text.Append(baseline.ToTable());
        }

        Connections?.AppendTo(text);
        Resume?.AppendTo(text);
        return text.ToString();
    }
}
