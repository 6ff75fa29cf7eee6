using Akka.Configuration;
using MwgActors.Actors.Settings;

namespace MwgActors.Actors.Api;

/// <summary>Settings of the in-process API, from <c>mwg.api</c>.</summary>
public sealed record ApiSettings(TimeSpan AskTimeout, int SubscriptionBuffer)
{
    public const string Path = "mwg.api";

    public static ApiSettings Create(Config root)
    {
        var c = ConfigReading.Section(root, Path);
        return new ApiSettings(
            ConfigReading.Duration(c, Path, "ask-timeout"),
            ConfigReading.PositiveInt(c, Path, "subscription-buffer"));
    }
}
