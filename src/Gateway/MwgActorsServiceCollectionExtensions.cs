using Akka.Actor;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MwgActors.Actors.Api;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Hosting;

namespace MwgActors.Gateway;

/// <summary>MwgActors in the .NET generic host and ASP.NET (docs/embedding.md).</summary>
public static class MwgActorsServiceCollectionExtensions
{
    /// <summary>
    /// Adds MwgActors: the <see cref="ActorSystem"/> (the app's own when one is registered, else one made from the
    /// options and stopped with the host), <see cref="MwgActorsExtension"/>, the in-process API
    /// <see cref="MwgStore"/>, and a hosted service that starts MwgActors before the app serves (waiting until the
    /// storage has recovered) and stops it cleanly. Mount the websocket endpoint with
    /// <see cref="MwgActorsEndpointRouteBuilderExtensions.MapMwgActors"/>.
    /// </summary>
    /// <param name="configure">Adds configuration layers and chooses the store; each layer over the ones before.</param>
    /// <exception cref="InvalidOperationException">MwgActors was already added.</exception>
    public static IServiceCollection AddMwgActors(this IServiceCollection services, Action<MwgActorsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MwgActorsRuntime)))
        {
            throw new InvalidOperationException("AddMwgActors was called twice; configure MwgActors in one call");
        }

        var options = new MwgActorsOptions();
        configure?.Invoke(options);
        services.AddSingleton(sp => new MwgActorsRuntime(sp, options));
        services.TryAddSingleton(sp => sp.GetRequiredService<MwgActorsRuntime>().CreateSystem());
        services.AddSingleton(sp => sp.GetRequiredService<MwgActorsRuntime>().Extension);
        services.AddSingleton(sp => sp.GetRequiredService<MwgActorsExtension>().Store);
        services.AddHostedService<MwgActorsHostedService>();
        return services;
    }

    /// <summary>
    /// Adds MwgActors configured first from <paramref name="configuration"/> (a section such as <c>Mwg</c>, mapped
    /// onto <c>mwg.*</c>: <c>Mwg:Storage:Path</c> is <c>mwg.storage.path</c>), then from <paramref name="configure"/>.
    /// </summary>
    /// <inheritdoc cref="AddMwgActors(IServiceCollection, Action{MwgActorsOptions}?)"/>
    public static IServiceCollection AddMwgActors(this IServiceCollection services, IConfiguration configuration, Action<MwgActorsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddMwgActors(options =>
        {
            options.AddConfiguration(configuration);
            configure?.Invoke(options);
        });
    }
}
