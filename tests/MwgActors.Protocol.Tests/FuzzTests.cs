using CsCheck;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;

namespace MwgActors.Protocol.Tests;

/// <summary>Whatever the bytes, every decoder returns a message or throws <see cref="ProtocolException"/>, nothing else.</summary>
public sealed class FuzzTests
{
    private const int Cases = 100_000;

    private static readonly ProtocolLimits Small = new(MaxFrameBytes: 4096, MaxKeysPerBatch: 16, MaxKeyBytes: 32, MaxValueBytes: 64, MaxSubscriptionsPerConnection: 4);

    private static readonly Func<byte[], object>[] Decoders =
    [
        f => new BinaryServerDecoder(Dialect.G1, Small).Decode(f),
        f => new BinaryServerDecoder(Dialect.Extended, Small).Decode(f),
        f => new BinaryClientDecoder(Dialect.G1, Small).Decode(f),
        f => new BinaryClientDecoder(Dialect.Extended, Small).Decode(f),
        f => new JsonServerDecoder(Small).Decode(f),
        f => new JsonClientDecoder(Small).Decode(f),
    ];

    private static readonly byte[][] Seeds = BuildSeeds();

    /// <summary>Random frames, biased towards '#', small type bytes and valid ids; and mutations of real frames.</summary>
    private static readonly Gen<byte[]> Frames = Gen.OneOf(
        Gen.Byte.Array[0, 40],
        Gen.OneOf(Gen.Byte, Gen.Const((byte)'#'), Gen.Byte[0, 0x3C], Gen.Byte[0x80, 0xFF], Gen.Const((byte)'A')).Array[0, 40],
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, 3], Gen.Int, Gen.Byte, (seed, op, at, b) => Mutate(Seeds[seed], op, at, b)),
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, 3], Gen.Int, Gen.Byte, Gen.Int[0, 3], Gen.Int, Gen.Byte,
            (seed, op, at, b, op2, at2, b2) => Mutate(Mutate(Seeds[seed], op, at, b), op2, at2, b2)));

    [Fact]
    public void Decoders_should_throw_nothing_but_ProtocolException()
    {
        var decoded = 0;
        Frames.Sample(frame =>
        {
            foreach (var decode in Decoders)
            {
                try
                {
                    decode(frame);
                    Interlocked.Increment(ref decoded);
                }
                catch (ProtocolException ex)
                {
                    Assert.True(Enum.IsDefined(ex.Code));
                }
            }
        }, iter: Cases);

        // The mutations keep enough frames valid that the success paths are exercised too.
        Assert.True(decoded > Cases / 100, $"only {decoded} frames decoded");
    }

    private static byte[] Mutate(byte[] seed, int op, int at, byte value)
    {
        var bytes = new List<byte>(seed);
        var position = bytes.Count == 0 ? 0 : (int)((uint)at % (uint)bytes.Count);
        switch (op)
        {
            case 0 when bytes.Count > 0:
                bytes[position] = value;
                break;
            case 1:
                bytes.Insert(position, value);
                break;
            case 2 when bytes.Count > 0:
                bytes.RemoveAt(position);
                break;
            case 3:
                bytes.RemoveRange(position, bytes.Count - position);
                break;
        }

        return [.. bytes];
    }

    private static byte[][] BuildSeeds()
    {
        var seeds = new List<byte[]>();
        foreach (var row in G1GoldenFrameTests.ClientFrames)
        {
            seeds.Add(Bytes.Hex((string)row[0]));
        }

        foreach (var row in G1GoldenFrameTests.ServerFrames.Concat(ExtensionFrameTests.ClientFrames).Concat(ExtensionFrameTests.ServerFrames))
        {
            seeds.Add(Bytes.Hex((string)row[0]));
        }

        foreach (var row in JsonDialectTests.Examples)
        {
            seeds.Add(System.Text.Encoding.UTF8.GetBytes((string)row[0]));
        }

        return [.. seeds];
    }
}
