using Akka.Configuration;

namespace MwgActors.Actors.Settings;

/// <summary>Typed reads of HOCON values that name the full path of a bad value in their error.</summary>
internal static class ConfigReading
{
    public static Config Section(Config root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        var section = root.GetConfig(path);
        return section is null || section.IsEmpty
            ? throw new ConfigurationException($"missing configuration section '{path}' (is reference.conf loaded?)")
            : section;
    }

    public static string String(Config section, string sectionPath, string key, bool allowEmpty = false)
    {
        var value = Read(section, sectionPath, key, c => c.GetString(key, null));
        return value is null || (!allowEmpty && string.IsNullOrWhiteSpace(value))
            ? throw Invalid(sectionPath, key, "must not be empty")
            : value;
    }

    public static int PositiveInt(Config section, string sectionPath, string key)
    {
        var value = Read(section, sectionPath, key, c => c.GetInt(key, 0));
        return value > 0 ? value : throw Invalid(sectionPath, key, "must be a positive integer");
    }

    public static long NonNegativeLong(Config section, string sectionPath, string key)
    {
        var value = Read(section, sectionPath, key, c => c.GetLong(key, -1));
        return value >= 0 ? value : throw Invalid(sectionPath, key, "must be zero or a positive integer");
    }

    public static long Bytes(Config section, string sectionPath, string key)
    {
        var value = Read(section, sectionPath, key, c => c.GetByteSize(key) ?? -1);
        return value > 0 ? value : throw Invalid(sectionPath, key, "must be a positive size such as 64k or 16m");
    }

    /// <summary>A size that must also fit an int (limits the codec holds as int).</summary>
    public static int IntBytes(Config section, string sectionPath, string key)
    {
        var value = Bytes(section, sectionPath, key);
        return value <= int.MaxValue ? (int)value : throw Invalid(sectionPath, key, "must be below 2g");
    }

    public static TimeSpan Duration(Config section, string sectionPath, string key, bool allowZero = false)
    {
        var value = Read(section, sectionPath, key, c => c.GetTimeSpan(key, TimeSpan.MinValue, allowInfinite: false));
        return value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)
            ? value
            : throw Invalid(sectionPath, key, allowZero ? "must be a duration of zero or more, such as 30s" : "must be a positive duration such as 30s");
    }

    public static bool Bool(Config section, string sectionPath, string key) =>
        Read(section, sectionPath, key, c => c.GetBoolean(key, false));

    public static TEnum Enum<TEnum>(Config section, string sectionPath, string key)
        where TEnum : struct, System.Enum
    {
        var text = String(section, sectionPath, key);
        return System.Enum.TryParse<TEnum>(text.Replace("-", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var value)
            && System.Enum.IsDefined(value)
            ? value
            : throw Invalid(sectionPath, key, $"must be one of {string.Join(", ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}, not '{text}'");
    }

    public static ConfigurationException Invalid(string sectionPath, string key, string why) =>
        new($"invalid setting {sectionPath}.{key}: {why}");

    private static T Read<T>(Config section, string sectionPath, string key, Func<Config, T> read)
    {
        if (!section.HasPath(key))
        {
            throw Invalid(sectionPath, key, "is missing");
        }

        try
        {
            return read(section);
        }
        // Akka's getters throw NotSupportedException for a boolean that is not one (on/off, true/false, yes/no).
        catch (Exception ex) when (ex is FormatException or ConfigurationException or InvalidCastException or OverflowException or NotSupportedException)
        {
            throw Invalid(sectionPath, key, "has a value of the wrong type");
        }
    }
}
