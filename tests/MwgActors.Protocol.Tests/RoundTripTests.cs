using CsCheck;
using MwgActors.Protocol.Binary;
using MwgActors.Protocol.Json;

namespace MwgActors.Protocol.Tests;

/// <summary>Every message type, encoded by one side and decoded by the other, comes back the same.</summary>
public sealed class RoundTripTests
{
    [Fact]
    public void Extended_requests_should_round_trip() =>
        Generators.ExtendedRequests.Sample(message =>
            Assert.Equal(Describe.Of(message), Describe.Of(new BinaryServerDecoder(Dialect.Extended).Decode(new BinaryClientEncoder(Dialect.Extended).Encode(message)))),
            iter: 5_000);

    [Fact]
    public void Extended_replies_and_pushes_should_round_trip() =>
        Generators.ExtendedServerMessages.Sample(message =>
            Assert.Equal(Describe.Of(message), Describe.Of(new BinaryClientDecoder(Dialect.Extended).Decode(new BinaryServerEncoder(Dialect.Extended).Encode(message)))),
            iter: 5_000);

    [Fact]
    public void G1_requests_should_round_trip() =>
        Generators.G1Requests.Sample(message =>
            Assert.Equal(Describe.Of(message), Describe.Of(new BinaryServerDecoder(Dialect.G1).Decode(new BinaryClientEncoder(Dialect.G1).Encode(message)))),
            iter: 5_000);

    [Fact]
    public void G1_replies_and_pushes_should_round_trip() =>
        Generators.G1ServerMessages.Sample(message =>
        {
            var decoded = new BinaryClientDecoder(Dialect.G1).Decode(new BinaryServerEncoder(Dialect.G1).Encode(message));
            if (message is GetResult asked)
            {
                decoded = BinaryClientDecoder.PadValues((GetResult)decoded, asked.Values.Count);
            }

            Assert.Equal(Describe.Of(message), Describe.Of(decoded));
        }, iter: 5_000);

    [Fact]
    public void Json_requests_should_round_trip() =>
        Generators.JsonRequests.Sample(message =>
        {
            using var encoder = new JsonClientEncoder();
            Assert.Equal(Describe.Of(message), Describe.Of(new JsonServerDecoder().Decode(encoder.Encode((Request)message))));
        }, iter: 5_000);

    [Fact]
    public void Json_replies_and_pushes_should_round_trip() =>
        Generators.JsonServerMessages.Sample(message =>
        {
            using var encoder = new JsonServerEncoder();
            var frame = encoder.Encode(message);
            var decoded = new JsonClientDecoder().Decode(frame);

            // Pushes say their own encoding; compare what the client reads, not how it was spelled.
            Assert.Equal(Describe.Of(message), Describe.Of(decoded));
        }, iter: 5_000);
}
