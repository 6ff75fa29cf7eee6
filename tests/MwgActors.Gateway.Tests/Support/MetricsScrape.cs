using System.Globalization;

namespace MwgActors.Gateway.Tests;

/// <summary>One reading of <c>GET /metrics</c>: every sample by its series (<c>name{labels}</c>).</summary>
internal sealed class MetricsScrape
{
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);

    private MetricsScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            _samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
    }

    public string Text { get; }

    public static async Task<MetricsScrape> ReadAsync(Uri server, string path = "/metrics")
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new MetricsScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sample's value; 0 for a series that has none yet (a counter that never moved).</summary>
    public double this[string series] => _samples.GetValueOrDefault(series);

    public bool Has(string series) => _samples.ContainsKey(series);
}
