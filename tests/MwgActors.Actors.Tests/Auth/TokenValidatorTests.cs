using System.Text;
using MwgActors.Actors.Auth;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Auth;

public sealed class TokenValidatorTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");

    private static readonly AuthSettings Settings = new(
        true,
        Secret,
        string.Empty,
        [new ApiKey("ci-key-0123456789", "ci", new Dictionary<Right, IReadOnlyList<byte[]>> { [Right.Read] = [[]] })]);

    [Fact]
    public void Api_key_should_give_its_principal_that_never_expires()
    {
        var validator = new TokenValidator(Settings);

        Assert.True(validator.TryValidate("ci-key-0123456789", out var principal, out _));
        Assert.Equal("ci", principal.Subject);
        Assert.Null(principal.ExpiresAt);
        Assert.True(principal.Allows(Right.Read, "x"u8));
        Assert.False(principal.Allows(Right.Write, "x"u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ci-key-012345678")]
    [InlineData("ci-key-01234567890")]
    [InlineData("CI-KEY-0123456789")]
    public void Unknown_key_should_be_unauthorized(string token)
    {
        var validator = new TokenValidator(Settings);

        Assert.False(validator.TryValidate(token, out _, out var error));
        Assert.Equal(ErrorCode.Unauthorized, error);
    }

    [Fact]
    public void Jwt_should_be_validated_at_the_time_of_the_time_provider()
    {
        var now = DateTimeOffset.UtcNow;
        var token = JwtTokens.Mint(Secret, "alice", new Dictionary<Right, IReadOnlyList<string>> { [Right.Write] = ["a/"] }, now, now.AddMinutes(1));
        var validator = new TokenValidator(Settings);

        Assert.True(validator.TryValidate(token, out var principal, out _));
        Assert.Equal("alice", principal.Subject);
        Assert.True(principal.Allows(Right.Write, "a/1"u8));
        Assert.False(new TokenValidator(Settings, new FixedTime(now.AddHours(1))).TryValidate(token, out _, out var error));
        Assert.Equal(ErrorCode.Unauthorized, error);
    }

    [Fact]
    public void Jwt_should_be_refused_from_exp_plus_the_configured_clock_skew_and_carry_that_rule()
    {
        var now = DateTimeOffset.UtcNow;
        var exp = now.AddMinutes(1);
        var token = JwtTokens.Mint(Secret, "alice", new Dictionary<Right, IReadOnlyList<string>>(), now, exp);
        var skewed = Settings with { ClockSkew = TimeSpan.FromSeconds(5) };
        var expAt = DateTimeOffset.FromUnixTimeSeconds(exp.ToUnixTimeSeconds());

        Assert.True(new TokenValidator(skewed, new FixedTime(expAt.AddSeconds(4))).TryValidate(token, out var principal, out _));
        Assert.False(new TokenValidator(skewed, new FixedTime(expAt.AddSeconds(5))).TryValidate(token, out _, out _));
        Assert.False(new TokenValidator(Settings, new FixedTime(expAt)).TryValidate(token, out _, out _));

        // The connection applies the same rule later with the principal: expired at exp + skew, not before.
        Assert.False(principal.IsExpired(expAt.AddSeconds(4)));
        Assert.True(principal.IsExpired(expAt.AddSeconds(5)));
    }

    [Fact]
    public void Jwt_should_be_refused_when_no_secret_is_configured()
    {
        var now = DateTimeOffset.UtcNow;
        var token = JwtTokens.Mint(Secret, "alice", new Dictionary<Right, IReadOnlyList<string>>(), now, now.AddMinutes(1));

        Assert.False(new TokenValidator(Settings with { JwtSecret = [] }).TryValidate(token, out _, out _));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
