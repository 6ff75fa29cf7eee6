using MwgActors.Actors.Auth;

namespace MwgActors.Gateway.Server;

/// <summary>Who an HTTP request acts for: the principal of its token, or the anonymous one when authentication is off.</summary>
internal static class HttpPrincipal
{
    /// <summary>
    /// The request's principal, or null with <paramref name="refusal"/> set to a 401 (with <c>WWW-Authenticate: Bearer</c>)
    /// when authentication is on and the request has no valid token.
    /// </summary>
    public static Principal? Resolve(HttpRequest request, ITokenValidator? validator, out IResult? refusal)
    {
        refusal = null;
        if (validator is null)
        {
            return Principal.Anonymous;
        }

        if (HandshakeToken.From(request) is { } token && validator.TryValidate(token, out var principal, out _))
        {
            return principal;
        }

        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        refusal = Results.Json(new { error = "a token is required (Authorization: Bearer TOKEN)" }, statusCode: StatusCodes.Status401Unauthorized);
        return null;
    }
}
