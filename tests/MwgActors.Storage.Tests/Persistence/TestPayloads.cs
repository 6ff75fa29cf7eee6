using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Serialization;

namespace MwgActors.Storage.Tests.Persistence;

/// <summary>An event serialized by <see cref="TestPayloadSerializer"/> under a string manifest.</summary>
public sealed record Counted(int Delta, string Note);

/// <summary>A snapshot state serialized by <see cref="TestPayloadSerializer"/> under a string manifest.</summary>
public sealed record CounterState(int Value);

/// <summary>A payload whose serializer always fails.</summary>
public sealed record Unserializable(string Reason);

/// <summary>Serializer with string manifests for the specs' payloads; refuses <see cref="Unserializable"/>.</summary>
public sealed class TestPayloadSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 4711;

    public override string Manifest(object o) => o switch
    {
        Counted => "counted.v1",
        CounterState => "counter-state.v1",
        Unserializable => "unserializable",
        _ => throw new ArgumentException($"cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        Counted c => Encoding.UTF8.GetBytes($"{c.Delta}|{c.Note}"),
        CounterState s => Encoding.UTF8.GetBytes(s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Unserializable u => throw new SerializationException($"refusing to serialize: {u.Reason}"),
        _ => throw new ArgumentException($"cannot serialize {obj.GetType()}", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return manifest switch
        {
            "counted.v1" => new Counted(int.Parse(text[..text.IndexOf('|', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture), text[(text.IndexOf('|', StringComparison.Ordinal) + 1)..]),
            "counter-state.v1" => new CounterState(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new SerializationException($"unknown manifest {manifest}"),
        };
    }
}
