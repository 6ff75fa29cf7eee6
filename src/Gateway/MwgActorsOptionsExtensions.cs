using Akka.Configuration;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Hosting;

namespace MwgActors.Gateway;

/// <summary>Configuration layers from Microsoft.Extensions.Configuration.</summary>
public static class MwgActorsOptionsExtensions
{
    /// <summary>
    /// Adds a section of <see cref="IConfiguration"/> (appsettings.json, environment variables such as
    /// <c>Mwg__Storage__Path</c>, the command line) as a layer under <c>mwg</c>, read when MwgActors starts. Names
    /// map onto the HOCON keys in kebab-case: <c>Mwg:Storage:BlockCacheSize</c> (or <c>block-cache-size</c>) is
    /// <c>mwg.storage.block-cache-size</c>; a list is a JSON array.
    /// </summary>
    public static MwgActorsOptions AddConfiguration(this MwgActorsOptions options, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        return options.AddLayer(() => ConfigurationFactory.ParseString(ConfigurationToHocon.Render(section, "mwg")));
    }
}
