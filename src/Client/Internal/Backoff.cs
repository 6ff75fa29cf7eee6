namespace MwgActors.Client.Internal;

/// <summary>Exponential reconnect delays with a cap and jitter: attempt n waits min × 2^(n-1), capped, less a random share.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, double jitter)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ms = Math.Min(min.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        // Random.Shared: jitter only spreads reconnects of many clients, it needs no security.
#pragma warning disable CA5394
        ms -= ms * jitter * Random.Shared.NextDouble();
#pragma warning restore CA5394
        return TimeSpan.FromMilliseconds(Math.Max(ms, 0));
    }
}
