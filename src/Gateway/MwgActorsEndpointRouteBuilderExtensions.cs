using System.Diagnostics.CodeAnalysis;
using MwgActors.Gateway.Hosting;

namespace MwgActors.Gateway;

/// <summary>Mounts the MwgActors websocket endpoint in the app's own Kestrel.</summary>
public static class MwgActorsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Accepts MwgActors websockets at <paramref name="pattern"/>, in the three dialects <c>mwg serve</c> speaks
    /// (G1 with no subprotocol, <c>mwg.v1</c>, <c>mwg.json.v1</c>), with its limits, allowed origins and
    /// authentication (<c>mwg.server.allowed-origins</c>, <c>max-connections</c>, <c>mwg.auth</c>). Upgrades are
    /// answered 503 until MwgActors has recovered and once the host is stopping. The endpoint accepts websockets
    /// itself; the app needs no <c>UseWebSockets()</c>.
    /// </summary>
    /// <returns>The endpoint's builder, for the app's own conventions (authorization, host filters).</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddMwgActors()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapMwgActors(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var runtime = endpoints.ServiceProvider.GetService<MwgActorsRuntime>()
            ?? throw new InvalidOperationException("call services.AddMwgActors(...) before app.MapMwgActors(...)");
        return runtime.Gateway.Map(endpoints, pattern);
    }
}
