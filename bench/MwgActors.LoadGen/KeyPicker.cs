namespace MwgActors.LoadGen;

/// <summary>Picks key indexes in [0, keys): uniformly, or Zipf-skewed (theta 0.99) with index 0 the hottest.</summary>
internal sealed class KeyPicker
{
    private const double Theta = 0.99;
    private readonly int _keys;
    private readonly double[]? _cumulative;

    public KeyPicker(int keys, KeyDistribution distribution)
    {
        _keys = keys;
        if (distribution == KeyDistribution.Zipf)
        {
            // Cumulative weights 1/k^theta, searched per pick: a few hundred KB for a million keys.
            _cumulative = new double[keys];
            var sum = 0.0;
            for (var k = 0; k < keys; k++)
            {
                sum += 1.0 / Math.Pow(k + 1, Theta);
                _cumulative[k] = sum;
            }
        }
    }

    public int Next(Random random)
    {
        if (_cumulative is null)
        {
            return random.Next(_keys);
        }

        var target = random.NextDouble() * _cumulative[^1];
        var index = Array.BinarySearch(_cumulative, target);
        return Math.Min(index >= 0 ? index : ~index, _keys - 1);
    }

    /// <summary>The wire form of key <paramref name="index"/>: the prefix (<c>lg/</c> by default) and ten digits.</summary>
    public static byte[] Key(int index, string prefix = "lg/") => System.Text.Encoding.ASCII.GetBytes(prefix + index.ToString("D10", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A value of random ASCII letters, so the JSON dialect can carry it as UTF-8.</summary>
    public static byte[] Value(int size)
    {
        var value = new byte[size];
        for (var i = 0; i < size; i++)
        {
            value[i] = (byte)('a' + Random.Shared.Next(26));
        }

        return value;
    }
}
