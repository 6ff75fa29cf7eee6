using System.Net;
using System.Net.Http.Headers;
using MwgActors.Protocol;

namespace MwgActors.Gateway.Tests;

/// <summary>
/// The live page at <c>/ui/</c> and the JavaScript client at <c>/client/mwg.js</c> are plain GETs of files embedded in
/// the gateway, byte for byte the repository's; the websocket endpoint at "/" is unchanged beside them.
/// </summary>
public sealed class StaticAssetsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Server.HttpUri, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("/client/mwg.js", "clients/js/mwg.js", "text/javascript")]
    [InlineData("/client/mwg.d.ts", "clients/js/mwg.d.ts", "text/plain")]
    [InlineData("/ui/", "src/Gateway/Ui/index.html", "text/html")]
    [InlineData("/ui/ui.js", "src/Gateway/Ui/ui.js", "text/javascript")]
    [InlineData("/ui/ui.css", "src/Gateway/Ui/ui.css", "text/css")]
    public async Task Get_should_serve_the_repository_file_with_its_content_type(string path, string file, string contentType)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(RepositoryRoot(), file)), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Page_should_be_served_with_a_content_security_policy_and_revalidated_by_etag()
    {
        using var page = await _http.GetAsync(new Uri("/ui/", UriKind.Relative));
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/ui/", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(page.Headers.ETag!);
        using var revalidated = await _http.SendAsync(again);

        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal(new CacheControlHeaderValue { NoCache = true }, page.Headers.CacheControl);
    }

    [Fact]
    public async Task Ui_without_its_slash_should_redirect_keeping_the_query_and_unknown_files_are_404()
    {
        using var redirect = await _http.GetAsync(new Uri("/ui?prefix=users/", UriKind.Relative));
        using var missing = await _http.GetAsync(new Uri("/ui/missing.js", UriKind.Relative));
        using var outside = await _http.GetAsync(new Uri("/client/../Program.cs", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/ui/?prefix=users/", redirect.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task Websocket_endpoint_should_still_answer_at_the_root_beside_the_files()
    {
        await using var client = await ProtocolClient.ConnectAsync(_server.Uri, Dialect.Json);

        Assert.IsType<Pong>(await client.SendAsync(new Ping(client.NextId())));
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
    }

    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MwgActors.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("MwgActors.sln not found above " + AppContext.BaseDirectory);
    }
}
