using System.Globalization;
using System.Text;

namespace MwgActors.Gateway.Hosting;

/// <summary>
/// Renders a section of <see cref="IConfiguration"/> (appsettings.json, environment variables, the command line)
/// as HOCON under a root key: <c>Mwg:Storage:BlockCacheSize</c> becomes <c>mwg.storage.block-cache-size</c>.
/// Names in PascalCase or camelCase become kebab-case (names already in kebab-case stay); a section whose
/// children are 0, 1, 2... is a list; every value is a HOCON string, which the typed settings read as a number,
/// a boolean, a duration or a size.
/// </summary>
internal static class ConfigurationToHocon
{
    public static string Render(IConfiguration section, string root)
    {
        var text = new StringBuilder();
        text.Append(root).Append(' ');
        RenderObject(section, text);
        return text.ToString();
    }

    /// <summary><c>BlockCacheSize</c>, <c>blockCacheSize</c> and <c>block-cache-size</c> all become <c>block-cache-size</c>; <c>G1PushPuts</c> becomes <c>g1-push-puts</c>.</summary>
    public static string KebabCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kebab = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
            {
                kebab.Append('-');
            }

            kebab.Append(char.ToLowerInvariant(c));
        }

        return kebab.ToString();
    }

    private static void RenderObject(IConfiguration section, StringBuilder text)
    {
        text.Append("{\n");
        foreach (var child in section.GetChildren())
        {
            text.Append(Quote(KebabCase(child.Key))).Append(" = ");
            RenderValue(child, text);
            text.Append('\n');
        }

        text.Append('}');
    }

    private static void RenderValue(IConfigurationSection node, StringBuilder text)
    {
        var children = node.GetChildren().ToList();
        if (children.Count == 0)
        {
            text.Append(Quote(node.Value ?? string.Empty));
        }
        else if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            text.Append('[');
            var first = true;
            foreach (var item in children.OrderBy(c => int.Parse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture)))
            {
                text.Append(first ? string.Empty : ", ");
                first = false;
                RenderValue(item, text);
            }

            text.Append(']');
        }
        else
        {
            RenderObject(node, text);
        }
    }

    /// <summary>A HOCON (JSON) string literal; control characters escaped, so a value cannot end the line early.</summary>
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                _ when char.IsControl(c) => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
