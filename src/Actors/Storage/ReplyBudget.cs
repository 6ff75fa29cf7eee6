namespace MwgActors.Actors.Storage;

/// <summary>
/// What a get's reply may cost once encoded, counted while its values are read: every position of the reply costs
/// <paramref name="BytesPerPosition"/>, plus its value's bytes (4 for every 3 when the values travel in Base64). A
/// duplicate key is read once but paid at every position it fills, as the encoders write it there.
/// </summary>
/// <param name="MaxBytes">The most the positions and values may cost together.</param>
/// <param name="BytesPerPosition">What a position costs besides its value (length prefix, separator, quotes).</param>
/// <param name="Base64Values">The values are written in Base64.</param>
public sealed record ReplyBudget(long MaxBytes, int BytesPerPosition = 0, bool Base64Values = false)
{
    /// <summary>No bound; duplicates are still read once.</summary>
    public static readonly ReplyBudget Unbounded = new(long.MaxValue);

    /// <summary>What a value of <paramref name="length"/> bytes costs on the wire.</summary>
    public long ValueCost(int length) => Base64Values ? 4L * ((length + 2L) / 3) : length;
}
