using Akka.Configuration;
using MwgActors.Actors.Auth;
using MwgActors.Storage;

namespace MwgActors.Actors.Tests.Auth;

public sealed class AuthSettingsTests : IDisposable
{
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mwg-auth-" + Guid.NewGuid().ToString("N"));

    public AuthSettingsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Reference_config_should_give_every_default()
    {
        var settings = AuthSettings.Create(MwgReferenceConfig.Load());

        Assert.False(settings.Enabled);
        Assert.Empty(settings.JwtSecret);
        Assert.Equal(string.Empty, settings.Issuer);
        Assert.Empty(settings.ApiKeys);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ClockSkew);
    }

    [Fact]
    public void Clock_skew_should_be_read_and_zero_allowed()
    {
        Assert.Equal(TimeSpan.Zero, AuthSettings.Create(Parse("mwg.auth.clock-skew = 0s")).ClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(30), AuthSettings.Create(Parse("mwg.auth.clock-skew = 30s")).ClockSkew);
    }

    [Fact]
    public void Api_keys_should_be_read_with_their_grants()
    {
        var settings = AuthSettings.Create(Parse("""
            mwg.auth.enabled = on
            mwg.auth.api-keys = [{ key = "ci-key-0123456789", subject = "ci", read = ["users/", ""], lock = [""] }]
            """));

        var key = Assert.Single(settings.ApiKeys);
        Assert.Equal("ci", key.Subject);
        var principal = key.ToPrincipal();
        Assert.True(principal.Allows(Right.Read, "anything"u8));
        Assert.True(principal.Allows(Right.Lock, "x"u8));
        Assert.False(principal.Allows(Right.Write, "users/1"u8));
        Assert.Null(principal.ExpiresAt);
    }

    [Fact]
    public void Secret_file_should_be_read_without_its_trailing_newline()
    {
        var file = Path.Combine(_folder, "secret");
        File.WriteAllText(file, Secret + "\n");

        var settings = AuthSettings.Create(Parse($"mwg.auth {{ enabled = on, jwt-secret-file = \"{file.Replace("\\", "/", StringComparison.Ordinal)}\" }}"));

        Assert.Equal(Secret, System.Text.Encoding.UTF8.GetString(settings.JwtSecret));
    }

    [Theory]
    [InlineData("mwg.auth.enabled = on", "mwg.auth.enabled")]
    [InlineData("mwg.auth.enabled = maybe", "mwg.auth.enabled")]
    [InlineData("mwg.auth.clock-skew = -1s", "mwg.auth.clock-skew")]
    [InlineData("mwg.auth.clock-skew = 6m", "mwg.auth.clock-skew")]
    [InlineData("mwg.auth.jwt-secret = short", "mwg.auth.jwt-secret")]
    [InlineData("mwg.auth { jwt-secret = \"" + Secret + "\", jwt-secret-file = \"/x\" }", "mwg.auth.jwt-secret-file")]
    [InlineData("mwg.auth.jwt-secret-file = \"/nonexistent/mwg/secret\"", "mwg.auth.jwt-secret-file")]
    [InlineData("mwg.auth.api-keys = \"abc\"", "mwg.auth.api-keys")]
    [InlineData("mwg.auth.api-keys = [\"abc\"]", "mwg.auth.api-keys[0]")]
    [InlineData("mwg.auth.api-keys = [{ key = \"short\", subject = \"ci\" }]", "mwg.auth.api-keys[0].key")]
    [InlineData("mwg.auth.api-keys = [{ key = \"ci-key-0123456789\" }]", "mwg.auth.api-keys[0].subject")]
    [InlineData("mwg.auth.api-keys = [{ key = \"ci-key-0123456789\", subject = ci, read = \"users/\" }]", "mwg.auth.api-keys[0].read")]
    public void Invalid_values_should_be_refused_in_one_line_naming_their_path(string hocon, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => AuthSettings.Create(Parse(hocon)));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static Config Parse(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(MwgReferenceConfig.Load());
}
