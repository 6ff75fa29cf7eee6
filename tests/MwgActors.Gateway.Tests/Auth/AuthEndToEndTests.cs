using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MwgActors.Tool.Cli;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// mwg.auth on a real server: tokens minted by `mwg token` open websockets (header or ?token=), a bad token is
/// refused with 401 before the upgrade, no token too unless the dialect can authenticate in-band (extended, JSON); /admin/* needs the reload right; a bind beyond loopback starts without TLS.
/// </summary>
public sealed class AuthEndToEndTests : IAsyncLifetime
{
    private const string Secret = "e2e-secret-0123456789abcdef-0123456789";
    private const string AuthOn = $$"""mwg.auth { enabled = on, jwt-secret = "{{Secret}}", api-keys = [{ key = "ops-key-0123456789", subject = "ops", reload = [""] }] }""";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(AuthOn);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Token_minted_by_the_cli_should_open_a_websocket_with_the_authorization_header()
    {
        var token = await MintAsync("--sub", "alice", "--read", "users/", "--ttl", "1h");

        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + token));

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Fact]
    public async Task Token_in_the_query_string_should_open_a_websocket_for_browsers()
    {
        var token = await MintAsync("--sub", "alice", "--read", "users/", "--ttl", "15m");

        await using var client = await ProtocolClient.ConnectAsync(new Uri(_server.Uri, "/?token=" + Uri.EscapeDataString(token)), Dialect.Json);

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Fact]
    public async Task Cli_client_commands_should_use_the_token_given_with_token()
    {
        var token = await MintAsync("--sub", "alice", "--read", "notes/", "--write", "notes/", "--ttl", "1h");
        var url = _server.Uri.ToString();

        var (putExit, _, putError) = await RunAsync("put", "--url", url, "--token", token, "--timeout", "5", "notes/1", "hello");
        var (getExit, output, getError) = await RunAsync("get", "--url", url, "--token", token, "--timeout", "5", "notes/1");
        var (refusedExit, _, _) = await RunAsync("get", "--url", url, "--timeout", "2", "notes/1");

        Assert.True(putExit == CommandLine.Ok, putError);
        Assert.True(getExit == CommandLine.Ok, getError);
        Assert.Equal("notes/1\thello", output.Trim());
        Assert.NotEqual(CommandLine.Ok, refusedExit);
    }

    [Fact]
    public async Task Api_key_should_open_a_websocket()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer ops-key-0123456789"));

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Fact]
    public async Task Original_G1_upgrade_without_a_token_should_be_refused_with_401()
    {
        // G1 has no in-band auth: without a handshake token it can never authenticate.
        Assert.Equal(HttpStatusCode.Unauthorized, await Upgrade.StatusAsync(_server.Uri, subprotocol: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await Upgrade.StatusAsync(_server.Uri, subprotocol: "x-not-mwg"));
    }

    [Fact]
    public async Task Extended_dialect_should_connect_without_a_token_to_authenticate_in_band()
    {
        var token = await MintAsync("--sub", "alice", "--read", "users/", "--ttl", "1h");
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Extended);

        Assert.Equal("alice", Assert.IsType<AuthResult>(await client.SendAsync(new Auth(client.NextId(), token))).Subject);
    }

    [Theory]
    [InlineData("Bearer not-a-token")]
    [InlineData("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIiwiZXhwIjo5OTk5OTk5OTk5fQ.")]
    [InlineData("Basic YWxpY2U6c2VjcmV0")]
    public async Task Upgrade_with_a_bad_token_should_be_refused_with_401(string authorization) =>
        Assert.Equal(HttpStatusCode.Unauthorized, await Upgrade.StatusAsync(_server.Uri, o => o.SetRequestHeader("Authorization", authorization)));

    [Fact]
    public async Task Token_signed_with_another_secret_should_be_refused_with_401()
    {
        var forged = await MintAsync("--sub", "mallory", "--read", "", "--ttl", "1h", "--secret", "another-secret-0123456789abcdef-xyz");

        Assert.Equal(HttpStatusCode.Unauthorized, await Upgrade.StatusAsync(new Uri(_server.Uri, "/?token=" + forged)));
    }

    [Fact]
    public async Task Json_dialect_should_connect_without_a_token_to_authenticate_in_band()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);

        // The socket is open and answers (until the token arrives in-band, requests may be refused as Unauthorized).
        var reply = await client.SendAsync(new Ping(client.NextId()));
        Assert.True(reply is Pong or Error { Code: ErrorCode.Unauthorized }, $"unexpected reply {reply}");
    }

    [Fact]
    public async Task Admin_reload_should_need_a_token_with_the_reload_right()
    {
        var reader = await MintAsync("--sub", "alice", "--read", "", "--ttl", "1h");
        var admin = await MintAsync("--sub", "ops", "--reload", "", "--ttl", "1h");
        var narrow = await MintAsync("--sub", "team", "--reload", "team/", "--ttl", "1h");

        Assert.Equal(HttpStatusCode.Unauthorized, await ReloadStatusAsync(null, "users/"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReloadStatusAsync("garbage", "users/"));
        Assert.Equal(HttpStatusCode.Forbidden, await ReloadStatusAsync(reader, "users/"));
        Assert.Equal(HttpStatusCode.Forbidden, await ReloadStatusAsync(narrow, "users/"));
        Assert.Equal(HttpStatusCode.OK, await ReloadStatusAsync(narrow, "team/a"));
        Assert.Equal(HttpStatusCode.OK, await ReloadStatusAsync(admin, "users/"));
        Assert.Equal(HttpStatusCode.OK, await ReloadStatusAsync("ops-key-0123456789", "users/"));
    }

    [Fact]
    public async Task Admin_stats_should_need_the_reload_right_while_health_stays_open()
    {
        var admin = await MintAsync("--sub", "ops", "--reload", "", "--ttl", "1h");
        using var http = new HttpClient { BaseAddress = _server.Server.HttpUri };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/admin/stats", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/admin/stats", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Reload_command_should_pass_its_token()
    {
        var admin = await MintAsync("--sub", "ops", "--reload", "", "--ttl", "1h");
        var url = _server.Server.HttpUri.ToString();

        Assert.Equal(CommandLine.Failed, (await RunAsync("reload", "--url", url, "users/")).Exit);
        Assert.Equal(CommandLine.Ok, (await RunAsync("reload", "--url", url, "--token", admin, "users/")).Exit);
    }

    [Fact]
    public async Task Cross_origin_browser_should_be_refused_by_default_when_auth_is_on()
    {
        var token = await MintAsync("--sub", "alice", "--read", "", "--ttl", "1h");
        var withToken = new Uri(_server.Uri, "/?token=" + token);

        Assert.Equal(HttpStatusCode.Forbidden, await Upgrade.StatusAsync(withToken, o => o.SetRequestHeader("Origin", "https://evil.example.org")));
        await using var sameOrigin = await ProtocolClient.ConnectAsync(withToken, Dialect.Json, o => o.SetRequestHeader("Origin", $"http://127.0.0.1:{_server.Server.Port}"));
        Assert.IsType<Pong>(await sameOrigin.SendAsync(new Ping(sameOrigin.NextId())));
    }

    [Fact]
    public async Task Bind_beyond_loopback_with_auth_should_start_without_TLS()
    {
        await using var exposed = await TestServer.StartAsync(AuthOn + "\nmwg.server.bind = \"0.0.0.0\"");
        var token = await MintAsync("--sub", "alice", "--read", "", "--ttl", "1h");
        var loopback = new Uri($"ws://127.0.0.1:{exposed.Server.Port}/");

        Assert.False(exposed.Server.ExposedInPlainText);
        Assert.True(exposed.Server.AuthenticationEnabled);
        Assert.Equal(HttpStatusCode.Unauthorized, await Upgrade.StatusAsync(loopback, subprotocol: null));
        await using var client = await ProtocolClient.ConnectAsync(loopback, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + token));
        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
    }

    [Theory]
    [InlineData("--read", "a", "--ttl", "1h", "--secret", Secret)]
    [InlineData("--sub", "a", "--secret", Secret)]
    [InlineData("--sub", "a", "--ttl", "1y", "--secret", Secret)]
    [InlineData("--sub", "a", "--ttl", "0s", "--secret", Secret)]
    [InlineData("--sub", "a", "--ttl", "1h")]
    [InlineData("--sub", "a", "--ttl", "1h", "--secret", "too-short")]
    [InlineData("--sub", "a", "--ttl", "1h", "--secret", Secret, "--admin", "x")]
    public async Task Token_command_should_refuse_bad_arguments_with_exit_2(params string[] args)
    {
        var (exit, output, error) = await RunAsync(["token", .. args]);

        Assert.Equal(CommandLine.Usage, exit);
        Assert.Empty(output);
        Assert.StartsWith("mwg token: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_command_should_read_the_secret_and_issuer_from_a_config_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "mwg-token-" + Guid.NewGuid().ToString("N") + ".conf");
        try
        {
            await File.WriteAllTextAsync(file, $$"""mwg.auth { jwt-secret = "{{Secret}}", issuer = "mwg-e2e" }""");
            var (exit, output, _) = await RunAsync("token", "--sub", "ci", "--write", "ci/", "--ttl", "30s", "--config", file);
            var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(output.Trim().Split('.')[1]));

            Assert.Equal(CommandLine.Ok, exit);
            Assert.Contains("\"iss\":\"mwg-e2e\"", payload, StringComparison.Ordinal);
            Assert.Contains("\"mwg\":{\"write\":[\"ci/\"]}", payload, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<HttpStatusCode> ReloadStatusAsync(string? token, string prefix)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Server.HttpUri, "/admin/reload"))
        {
            Content = new StringContent($$"""{"prefixes": ["{{prefix}}"]}""", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> MintAsync(params string[] args)
    {
        string[] all = args.Contains("--secret") ? ["token", .. args] : ["token", .. args, "--secret", Secret];
        var (exit, output, error) = await RunAsync(all);
        Assert.True(exit == CommandLine.Ok, error);
        return output.Trim();
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(args, output, error).WaitAsync(Bound);
        return (exit, output.ToString(), error.ToString());
    }
}
