using MwgActors.Protocol;
using MwgActors.Protocol.Binary;
using MwgActors.Storage.Mwdb;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Writes many batches over one extended connection with requests pipelined (the server bounds how many it
/// reads ahead), so a thousand writes take a fraction of a second instead of a thousand round trips.
/// </summary>
internal static class BulkWriter
{
    /// <summary>Puts each batch in order and returns the revision each was committed at.</summary>
    public static async Task<long[]> PutAllAsync(Uri uri, IReadOnlyList<IReadOnlyList<KeyValue>> batches)
    {
        await using var raw = await RawClient.ConnectAsync(uri, Subprotocols.Extended);
        var encoder = new BinaryClientEncoder(Dialect.Extended);
        var decoder = new BinaryClientDecoder(Dialect.Extended);
        Assert.IsType<Hello>(decoder.Decode(await raw.ReceiveAsync() ?? throw new InvalidOperationException("closed before the hello")));

        // Replies are read while requests are still being sent: a writer that only sends would stall on the bound.
        var replies = Task.Run(async () =>
        {
            var revisions = new long[batches.Count];
            for (var received = 0; received < batches.Count; received++)
            {
                var frame = await raw.ReceiveAsync() ?? throw new InvalidOperationException($"closed after {received} replies");
                var reply = Assert.IsType<PutResult>(decoder.Decode(frame));
                Assert.True(reply.Ok);
                revisions[MwdbBase64.DecodeInt(reply.Id.Bytes)] = reply.Revision ?? throw new InvalidOperationException("no revision");
            }

            return revisions;
        });

        for (var i = 0; i < batches.Count; i++)
        {
            await raw.SendAsync(encoder.Encode(new Put(new RequestId(MwdbBase64.EncodeInt(i)), batches[i])));
        }

        return await replies.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
