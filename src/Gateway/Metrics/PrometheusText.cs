using System.Globalization;
using System.Text;

namespace MwgActors.Gateway.Metrics;

/// <summary>
/// Names and numbers in the Prometheus text exposition format (version 0.0.4), named the way OpenTelemetry's
/// Prometheus exporter names them: dots become underscores, the unit becomes a suffix (<c>s</c> → <c>_seconds</c>,
/// <c>By</c> → <c>_bytes</c>, annotations such as <c>{request}</c> are dropped), monotonic counters end in
/// <c>_total</c>. So <c>mwg.request.duration</c> in seconds is <c>mwg_request_duration_seconds</c>.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string MetricName(string instrumentName, string? unit, bool monotonicCounter)
    {
        var name = Sanitize(instrumentName);
        if (UnitSuffix(unit) is { } suffix && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }

        return monotonicCounter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    /// <summary>A metric or label name: characters outside [a-zA-Z0-9_:] become '_', and it does not start with a digit.</summary>
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A label value between double quotes: backslash, quote and line feed escaped.</summary>
    public static void AppendLabelValue(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append(@"\n"),
                _ => text.Append(c),
            };
        }
    }

    /// <summary>HELP text: backslash and line feed escaped.</summary>
    public static string Help(string description) =>
        description.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    private static string? UnitSuffix(string? unit) => unit switch
    {
        null or "" or "1" => null,
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        _ when unit.StartsWith('{') => null,
        _ => Sanitize(unit),
    };
}
