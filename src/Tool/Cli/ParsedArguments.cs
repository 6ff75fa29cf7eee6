namespace MwgActors.Tool.Cli;

/// <summary>
/// <c>--name value</c> options, <c>--switch</c> flags (names given to <see cref="Parse"/>) and positional
/// arguments, in order. <c>--</c> ends the options: everything after it is positional (a key may start with --).
/// </summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static ParsedArguments Parse(IReadOnlyList<string> args, IReadOnlySet<string>? switches = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = new ParsedArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                parsed.Positional.AddRange(args.Skip(i + 1));
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                string name, value;
                if (eq < 0 && switches is not null && switches.Contains(arg[2..]))
                {
                    parsed._switches.Add(arg[2..]);
                    continue;
                }

                if (eq > 0)
                {
                    (name, value) = (arg[2..eq], arg[(eq + 1)..]);
                }
                else if (i + 1 < args.Count)
                {
                    (name, value) = (arg[2..], args[++i]);
                }
                else
                {
                    throw new ArgumentException($"option --{arg[2..]} needs a value");
                }

                if (!parsed._options.TryGetValue(name, out var values))
                {
                    parsed._options[name] = values = [];
                }

                values.Add(value);
            }
            else
            {
                parsed.Positional.Add(arg);
            }
        }

        return parsed;
    }

    public IReadOnlyCollection<string> OptionNames => _options.Keys;

    public string? Get(string name) => _options.TryGetValue(name, out var values) ? values[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => _options.TryGetValue(name, out var values) ? values : [];

    /// <summary>Whether the switch <c>--name</c> was given.</summary>
    public bool Has(string name) => _switches.Contains(name);

    /// <summary>Throws for an option or switch the command does not know, so a typo is not silently ignored.</summary>
    public void AllowOnly(params string[] names)
    {
        var unknown = _options.Keys.Concat(_switches).FirstOrDefault(k => !names.Contains(k, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw new ArgumentException($"unknown option --{unknown}");
        }
    }
}
