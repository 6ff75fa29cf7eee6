using Akka.Configuration;
using Microsoft.AspNetCore.Http;
using MwgActors.Actors.Hosting;
using MwgActors.Gateway.Server;

namespace MwgActors.Gateway.Tests;

/// <summary>The Host names a request may carry (DNS rebinding): loopback names, address literals, the configured list.</summary>
public sealed class HostPolicyTests
{
    private static readonly ServerSettings Loopback = Settings(string.Empty);

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:7513")]
    [InlineData("LocalHost.:80")]
    [InlineData("127.0.0.1:7513")]
    [InlineData("[::1]:7513")]
    [InlineData("192.0.2.10")]
    public void Loopback_names_and_address_literals_should_be_allowed(string host) =>
        Assert.True(HostPolicy.Allows(Loopback, new HostString(host)));

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:7513")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.1.evil.example")]
    public void Other_names_should_be_refused_on_a_loopback_bind(string host) =>
        Assert.False(HostPolicy.Allows(Loopback, new HostString(host)));

    [Fact]
    public void A_request_without_host_should_be_allowed() =>
        Assert.True(HostPolicy.Allows(Loopback, default));

    [Fact]
    public void Listed_names_should_be_allowed_whatever_their_case_and_port()
    {
        var settings = Settings("mwg.server.allowed-hosts = [\"mwg.example.com\"]");

        Assert.True(HostPolicy.Allows(settings, new HostString("MWG.Example.com:8443")));
        Assert.False(HostPolicy.Allows(settings, new HostString("evil.example")));
    }

    [Fact]
    public void A_bind_beyond_loopback_without_a_list_should_allow_any_name_and_with_one_check_it()
    {
        var open = Settings("mwg.server { bind = \"0.0.0.0\", insecure = on }");
        var listed = Settings("mwg.server { bind = \"0.0.0.0\", insecure = on, allowed-hosts = [\"mwg.example.com\"] }");

        Assert.True(HostPolicy.Allows(open, new HostString("anything.example")));
        Assert.False(HostPolicy.Allows(listed, new HostString("anything.example")));
        Assert.True(HostPolicy.Allows(listed, new HostString("10.0.0.5:7513")));
    }

    [Fact]
    public void A_star_should_allow_any_name() =>
        Assert.True(HostPolicy.Allows(Settings("mwg.server.allowed-hosts = [\"*\"]"), new HostString("anything.example")));

    private static ServerSettings Settings(string hocon) =>
        ServerSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(MwgConfig.Build(null)));
}
