using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using MwgActors.Actors.Auth;

namespace MwgActors.Actors.Tests.Auth;

public sealed class JwtTokensTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<Right, IReadOnlyList<string>> Grants = new()
    {
        [Right.Read] = ["users/", "public/"],
        [Right.Write] = ["users/alice/"],
        [Right.Lock] = [""],
    };

    [Fact]
    public void Minted_token_should_validate_with_its_subject_rights_and_expiry()
    {
        var token = JwtTokens.Mint(Secret, "alice", Grants, Now, Now.AddHours(1));

        Assert.True(JwtTokens.TryValidate(token, Secret, null, Now, out var principal));
        Assert.Equal("alice", principal.Subject);
        Assert.Equal(Now.AddHours(1), principal.ExpiresAt);
        Assert.True(principal.Allows(Right.Read, "users/bob"u8));
        Assert.True(principal.Allows(Right.Read, "public/x"u8));
        Assert.False(principal.Allows(Right.Read, "secret/x"u8));
        Assert.True(principal.Allows(Right.Write, "users/alice/1"u8));
        Assert.False(principal.Allows(Right.Write, "users/bob/1"u8));
        Assert.True(principal.Allows(Right.Lock, "any"u8));
        Assert.False(principal.Allows(Right.Subscribe, "users/"u8));
        Assert.False(principal.Allows(Right.Reload, ""u8));
        Assert.True(principal.AllowsAllUnder(Right.Read, "users/a"u8));
        Assert.False(principal.AllowsAllUnder(Right.Read, "user"u8));
    }

    [Fact]
    public void Tampered_payload_should_be_refused()
    {
        var parts = JwtTokens.Mint(Secret, "alice", Grants, Now, Now.AddHours(1)).Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace("users/alice/", "", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}.{parts[2]}";

        Assert.False(JwtTokens.TryValidate(forged, Secret, null, Now, out _));
    }

    [Fact]
    public void Tampered_signature_or_other_secret_should_be_refused()
    {
        var token = JwtTokens.Mint(Secret, "alice", Grants, Now, Now.AddHours(1));
        var flipped = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];

        Assert.False(JwtTokens.TryValidate(flipped, Secret, null, Now, out _));
        Assert.False(JwtTokens.TryValidate(token, Encoding.UTF8.GetBytes("another-secret-another-secret-xx"), null, Now, out _));
        Assert.False(JwtTokens.TryValidate(token[..token.LastIndexOf('.')] + ".", Secret, null, Now, out _));
    }

    [Theory]
    [InlineData("""{"alg":"none","typ":"JWT"}""")]
    [InlineData("""{"alg":"HS512","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    public void Other_algorithms_should_be_refused_even_when_signed_with_the_secret(string header)
    {
        var token = Sign(header, $$$"""{"sub":"alice","exp":{{{Now.AddHours(1).ToUnixTimeSeconds()}}},"mwg":{"read":[""]}}""");

        Assert.False(JwtTokens.TryValidate(token, Secret, null, Now, out _));
    }

    [Fact]
    public void Unsigned_none_token_should_be_refused()
    {
        var token = $"{B64("""{"alg":"none"}""")}.{B64($$"""{"sub":"alice","exp":{{Now.AddHours(1).ToUnixTimeSeconds()}}}""")}.";

        Assert.False(JwtTokens.TryValidate(token, Secret, null, Now, out _));
    }

    [Fact]
    public void Expired_token_should_be_refused_from_exp_plus_the_clock_skew_by_the_principal_rule()
    {
        var token = JwtTokens.Mint(Secret, "alice", Grants, Now, Now.AddMinutes(5));
        var skew = TimeSpan.FromSeconds(5);
        var exp = Now.AddMinutes(5);

        Assert.True(JwtTokens.TryValidate(token, Secret, null, exp + skew - TimeSpan.FromSeconds(1), skew, out var principal));
        Assert.False(JwtTokens.TryValidate(token, Secret, null, exp + skew, skew, out _));
        Assert.False(JwtTokens.TryValidate(token, Secret, null, exp, out _));

        // The principal carries the same rule for every later check.
        Assert.Equal(exp + skew, principal.ValidUntil);
        Assert.False(principal.IsExpired(exp + skew - TimeSpan.FromTicks(1)));
        Assert.True(principal.IsExpired(exp + skew));
    }

    [Fact]
    public void Token_before_its_not_before_time_should_be_refused()
    {
        var token = Sign(Header, $$"""{"sub":"alice","nbf":{{Now.AddMinutes(10).ToUnixTimeSeconds()}},"exp":{{Now.AddHours(1).ToUnixTimeSeconds()}}}""");

        Assert.False(JwtTokens.TryValidate(token, Secret, null, Now, out _));
        Assert.True(JwtTokens.TryValidate(token, Secret, null, Now.AddMinutes(10), out _));
    }

    [Theory]
    [InlineData("""{"exp":EXP}""")]
    [InlineData("""{"sub":"","exp":EXP}""")]
    [InlineData("""{"sub":42,"exp":EXP}""")]
    [InlineData("""{"sub":"alice"}""")]
    [InlineData("""{"sub":"alice","exp":"tomorrow"}""")]
    [InlineData("""{"sub":"alice","exp":EXP,"mwg":{"read":"users/"}}""")]
    [InlineData("""{"sub":"alice","exp":EXP,"mwg":{"read":[1]}}""")]
    [InlineData("""{"sub":"alice","exp":EXP,"mwg":[]}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""not json""")]
    public void Token_with_missing_or_malformed_claims_should_be_refused(string payload)
    {
        var token = Sign(Header, payload.Replace("EXP", Now.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.False(JwtTokens.TryValidate(token, Secret, null, Now, out _));
    }

    [Fact]
    public void Issuer_should_be_checked_when_configured()
    {
        var token = JwtTokens.Mint(Secret, "alice", Grants, Now, Now.AddHours(1), issuer: "mwg-prod");

        Assert.True(JwtTokens.TryValidate(token, Secret, "mwg-prod", Now, out _));
        Assert.False(JwtTokens.TryValidate(token, Secret, "mwg-test", Now, out _));
        Assert.False(JwtTokens.TryValidate(JwtTokens.Mint(Secret, "alice", Grants, Now, Now.AddHours(1)), Secret, "mwg-prod", Now, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.???.***")]
    public void Garbage_should_be_refused_without_throwing(string token) =>
        Assert.False(JwtTokens.TryValidate(token, Secret, null, Now, out _));

    private const string Header = """{"alg":"HS256","typ":"JWT"}""";

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static string Sign(string header, string payload)
    {
        var input = $"{B64(header)}.{B64(payload)}";
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes(input)));
    }
}
