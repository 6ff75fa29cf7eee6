namespace MwgActors.Hardening.Tests;

/// <summary>
/// <see cref="BudgetTests"/> runs alone: it loads both cores and allocates hundreds of megabytes in the test process, which
/// would skew the heap measurement of <see cref="NetworkFuzzTests"/> and the pace of the other suites if run beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
