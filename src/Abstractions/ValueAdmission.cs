namespace MwgActors.Storage;

/// <summary>
/// Decides whether a bounded read goes on, shown each present value's length before the value is copied out of the
/// store (<see cref="IKeyValueStore.GetWhile"/>). Returning false ends the read.
/// </summary>
/// <param name="index">The value's position in the keys read.</param>
/// <param name="length">The value's length in bytes.</param>
public delegate bool ValueAdmission(int index, int length);
