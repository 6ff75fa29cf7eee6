namespace MwgActors.Actors.Connections;

/// <summary>
/// Test-only: a connection actor that receives this throws, as a bug in one of its handlers would, so the lifecycle
/// tests can check what a failing connection leaves behind (socket closed 1011, leases in grace, subscriptions gone).
/// Internal, so only the test assemblies (InternalsVisibleTo) can send it; no client frame leads here.
/// </summary>
internal sealed class InjectedFailure
{
    public static readonly InjectedFailure Instance = new();

    private InjectedFailure()
    {
    }

    /// <summary>Thrown in the receiving actor; its supervisor decides what follows.</summary>
    public static void Throw() => throw new InvalidOperationException("failure injected by a test");
}
