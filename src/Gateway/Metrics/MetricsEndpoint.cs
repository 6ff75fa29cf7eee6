using Akka.Actor;
using MwgActors.Actors.Diagnostics;

namespace MwgActors.Gateway.Metrics;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format. The server maps it when <c>mwg.server.metrics.enabled</c> is on
/// (the default); an app that embeds MwgActors maps it on its own host only if it asks:
/// <code>app.MapMwgMetrics(actorSystem);</code>
/// The endpoint shows the <c>MwgActors</c> meter of that one actor system (docs/observability.md). An app that exports
/// with OpenTelemetry instead adds the meter by name, <c>AddMeter(MwgMetrics.MeterName)</c>, and need not map this.
/// </summary>
public static class MetricsEndpoint
{
    public const string DefaultPath = "/metrics";

    /// <summary>Maps <c>GET <paramref name="pattern"/></c> to the metrics of <paramref name="system"/>.</summary>
    public static RouteHandlerBuilder MapMwgMetrics(this IEndpointRouteBuilder endpoints, ActorSystem system, string pattern = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(system);
        return endpoints.MapMwgMetrics(MwgMetrics.Get(system), pattern);
    }

    /// <summary>Maps <c>GET <paramref name="pattern"/></c> to <paramref name="metrics"/>.</summary>
    public static RouteHandlerBuilder MapMwgMetrics(this IEndpointRouteBuilder endpoints, MwgMetrics metrics, string pattern = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(metrics);

        // Listening starts now: counters count from here. The listener ends with the host.
        var collector = new MetricsCollector(metrics.Meter);
        endpoints.ServiceProvider.GetService<IHostApplicationLifetime>()?.ApplicationStopped.Register(collector.Dispose);
        return endpoints.MapGet(pattern, () => Results.Text(collector.Collect(), PrometheusText.ContentType));
    }
}
