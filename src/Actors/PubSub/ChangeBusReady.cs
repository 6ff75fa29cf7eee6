namespace MwgActors.Actors.PubSub;

/// <summary>
/// Sent by a bus that <see cref="IChangeBus.SignalsReady"/> to a subscriber once it knows where the change log
/// stands: from then on the subscriber receives every revision after that point, in order. A subscription actor
/// that reads the journal for a catch-up waits for it, so its reads never start before the bus's position.
/// </summary>
public sealed record ChangeBusReady
{
    public static readonly ChangeBusReady Instance = new();

    private ChangeBusReady()
    {
    }
}
