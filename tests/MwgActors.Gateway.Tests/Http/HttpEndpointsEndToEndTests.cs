using System.Net;
using System.Text;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// Issue 14, finding 8 (the HTTP side): HEAD on the probes, the reload's token checked before its body is read,
/// an IPv4-mapped loopback bind served on its IPv4 address instead of crashing.
/// </summary>
public sealed class HttpEndpointsEndToEndTests
{
    private const string AuthOn = """
        mwg.auth {
          enabled = on
          api-keys = [
            { key = "reader-key-0123456789", subject = "reader", read = ["users/"] }
          ]
        }
        """;

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Head_on_a_probe_should_answer_200_without_a_body(string path)
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(30) };

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-valid-token", HttpStatusCode.Unauthorized)]
    [InlineData("reader-key-0123456789", HttpStatusCode.Forbidden)]
    public async Task Reload_should_refuse_a_missing_or_narrow_token_before_reading_the_body(string? token, HttpStatusCode expected)
    {
        await using var server = await TestServer.StartAsync(AuthOn);
        using var http = new HttpClient { BaseAddress = server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/reload", UriKind.Relative))
        {
            // Not JSON: a server that parsed first would answer 400.
            Content = new StringContent("{ this is not json", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task An_ipv4_mapped_loopback_bind_should_listen_on_the_ipv4_address()
    {
        await using var server = await TestServer.StartAsync("mwg.server.bind = \"::ffff:127.0.0.1\"");

        Assert.Equal(IPAddress.Loopback, server.Server.Address);
        await using var client = await ProtocolClient.ConnectAsync(server.Uri);
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }
}
