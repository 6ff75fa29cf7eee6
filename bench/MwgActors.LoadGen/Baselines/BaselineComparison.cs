using System.Globalization;
using System.Text;

namespace MwgActors.LoadGen;

/// <summary>One figure of one op, ours next to the baseline's; <see cref="Ratio"/> is ours / baseline.</summary>
/// <param name="Better">"higher" for throughput, "lower" for latency: which way the ratio favours us.</param>
internal sealed record FigureComparison(string Op, string Figure, double Ours, double Baseline, double? Ratio, string Better);

/// <summary>A baseline's own summary and the figure-by-figure comparison with ours.</summary>
internal sealed record BaselineComparison(string Baseline, LoadGenSummary Summary, IReadOnlyList<FigureComparison> Figures)
{
    public const string RatioNote = "ratio = ours / baseline: for req/s and keys/s above 1 is better for us, for latencies below 1 is";

    public static BaselineComparison Of(string baseline, LoadGenSummary ours, LoadGenSummary theirs)
    {
        var figures = new List<FigureComparison>();
        foreach (var op in ours.Ops)
        {
            if (theirs.Ops.FirstOrDefault(o => o.Op == op.Op) is not { } other)
            {
                continue;
            }

            figures.Add(Higher(op.Op, "req/s", op.RequestsPerSecond, other.RequestsPerSecond));
            if (op.Keys > 0 || other.Keys > 0)
            {
                figures.Add(Higher(op.Op, "keys/s", op.KeysPerSecond, other.KeysPerSecond));
            }

            figures.Add(Lower(op.Op, "p50 us", op.P50, other.P50));
            figures.Add(Lower(op.Op, "p90 us", op.P90, other.P90));
            figures.Add(Lower(op.Op, "p99 us", op.P99, other.P99));
            figures.Add(Lower(op.Op, "p99.9 us", op.P999, other.P999));
        }

        if (ours.Requests > 0 && theirs.Requests > 0)
        {
            figures.Add(Higher("total", "req/s", ours.RequestsPerSecond, theirs.RequestsPerSecond));
            figures.Add(Higher("total", "keys/s", ours.KeysPerSecond, theirs.KeysPerSecond));
        }

        return new BaselineComparison(baseline, theirs, figures);
    }

    public string ToTable()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine();
        text.AppendLine(c, $"vs {Baseline}: {Summary.Settings}; measured {Summary.MeasuredSeconds:F1} s; errors {Summary.Errors}{(Summary.FirstError is null ? string.Empty : " (first: " + Summary.FirstError + ")")}");
        text.AppendLine(RatioNote);
        text.AppendLine(c, $"{"op",-17}{"figure",-10}{"ours",13}{Baseline,13}{"ratio",9}");
        foreach (var f in Figures)
        {
            text.AppendLine(c, $"{f.Op,-17}{f.Figure,-10}{f.Ours,13:F0}{f.Baseline,13:F0}{Format(f.Ratio),9}");
        }

        return text.ToString();
    }

    private static FigureComparison Higher(string op, string figure, double ours, double baseline) =>
        new(op, figure, ours, baseline, Ratio(ours, baseline), "higher");

    private static FigureComparison Lower(string op, string figure, double ours, double baseline) =>
        new(op, figure, ours, baseline, Ratio(ours, baseline), "lower");

    private static double? Ratio(double ours, double baseline) => baseline > 0 ? ours / baseline : null;

    // Three significant digits without an exponent: 0.0412, 0.412, 4.12, 41.2, 412.
    private static string Format(double? ratio) => ratio switch
    {
        null => "-",
        >= 100 => ratio.Value.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => ratio.Value.ToString("F1", CultureInfo.InvariantCulture),
        >= 1 => ratio.Value.ToString("F2", CultureInfo.InvariantCulture),
        >= 0.1 => ratio.Value.ToString("F3", CultureInfo.InvariantCulture),
        _ => ratio.Value.ToString("F4", CultureInfo.InvariantCulture),
    };
}
