using System.Text;

namespace MwgActors.TestKit;

/// <summary>One key that changed at <see cref="Revision"/>, as the harness saw it.</summary>
/// <param name="ValueBytes">The new value; null for a removal.</param>
public sealed record MwgChange(long Revision, byte[] KeyBytes, byte[]? ValueBytes)
{
    /// <summary>Whether the key was removed.</summary>
    public bool Removed => ValueBytes is null;

    /// <summary>The key as UTF-8 text.</summary>
    public string Key => Encoding.UTF8.GetString(KeyBytes);

    /// <summary>The value as UTF-8 text; null for a removal.</summary>
    public string? Value => ValueBytes is null ? null : Encoding.UTF8.GetString(ValueBytes);

    public override string ToString() => Removed ? $"@{Revision} {Key} removed" : $"@{Revision} {Key} = {Value}";
}
