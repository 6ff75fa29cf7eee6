using System.Text;
using System.Text.Json;
using MwgActors.LoadGen;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// LoadGen's baselines: the RocksDB one runs against a live server's op mix and reports ours, its figures and
/// the ratios. Redis is not installed in CI, so its baseline runs only in bench runs; its RESP reader is tested here.
/// </summary>
public sealed class LoadGenBaselineTests
{
    [Fact]
    public async Task Kv_with_the_rocksdb_baseline_should_report_baseline_figures_and_ratios()
    {
        await using var server = await TestServer.StartAsync();
        var parent = Directory.CreateTempSubdirectory("mwg-lg-baseline-").FullName;
        try
        {
            var options = LoadGenOptions.Parse(
                ["kv", "--url", server.Uri.ToString(), "--clients", "2", "--inflight", "2", "--mix", "70:30:0", "--batch", "4",
                 "--keys", "300", "--load", "300", "--warmup", "0.2", "--duration", "1", "--baseline", "rocksdb", "--baseline-data", parent]);

            var summary = await LoadGenRunner.RunAsync(options, TextWriter.Null, CancellationToken.None);

            Assert.Equal(0, summary.Errors);
            var comparison = Assert.Single(summary.Baselines!);
            Assert.Equal("rocksdb", comparison.Baseline);
            Assert.Equal(0, comparison.Summary.Errors);
            Assert.True(comparison.Summary.Requests > 0);
            foreach (var op in new[] { "get", "put", "total" })
            {
                var figures = comparison.Figures.Where(f => f.Op == op).ToList();
                Assert.Contains(figures, f => f.Figure == "keys/s");
                Assert.All(figures, f => Assert.True(f.Ours > 0 && f.Baseline > 0 && f.Ratio > 0, $"{op} {f.Figure}: {f.Ours} / {f.Baseline}"));
            }

            Assert.Equal(["p50 us", "p90 us", "p99 us", "p99.9 us"], comparison.Figures.Where(f => f.Op == "get" && f.Better == "lower").Select(f => f.Figure));
            Assert.Contains("vs rocksdb", summary.ToTable(), StringComparison.Ordinal);
            using var json = JsonDocument.Parse(summary.ToJson());
            Assert.True(json.RootElement.GetProperty("baselines")[0].GetProperty("figures")[0].GetProperty("ratio").GetDouble() > 0);

            // The baseline's database lived in its own folder under --baseline-data and is gone.
            Assert.Empty(Directory.EnumerateFileSystemEntries(parent));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void Parse_should_refuse_a_baseline_the_scenario_has_no_counterpart_for()
    {
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["fanout", "--baseline", "rocksdb"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["kv", "--baseline", "memcached"]));
        Assert.Throws<ArgumentException>(() => LoadGenOptions.Parse(["kv", "--baseline", "redis", "--redis", "localhost"]));
        Assert.Equal([BaselineKind.RocksDb, BaselineKind.Redis], LoadGenOptions.Parse(["kv", "--baseline", "rocksdb,redis"]).Baselines);
        Assert.Empty(LoadGenOptions.Parse(["kv"]).Baselines);
    }

    [Fact]
    public void Resp_reader_should_parse_a_confirmation_and_a_message_and_wait_for_a_split_one()
    {
        var payload = new byte[20];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload, 42);
        var message = Encoding.ASCII.GetBytes("*3\r\n$7\r\nmessage\r\n$3\r\nfan\r\n$20\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
        var confirmation = Encoding.ASCII.GetBytes("*3\r\n$9\r\nsubscribe\r\n$3\r\nfan\r\n:1\r\n");

        Assert.True(RespSubscriber.TryParse(confirmation, out var consumed, out var kind, out _));
        Assert.Equal((confirmation.Length, RespSubscriber.Kind.Subscribed), (consumed, kind));

        Assert.True(RespSubscriber.TryParse(message, out consumed, out kind, out var sequence));
        Assert.Equal((message.Length, RespSubscriber.Kind.Message, 42L), (consumed, kind, sequence));

        for (var cut = 0; cut < message.Length; cut++)
        {
            Assert.False(RespSubscriber.TryParse(message.AsSpan(0, cut), out _, out _, out _));
        }

        Assert.Throws<InvalidDataException>(() => RespSubscriber.TryParse("-ERR wrong\r\n"u8, out _, out _, out _));
    }
}
