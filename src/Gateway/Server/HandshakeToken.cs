using Microsoft.Net.Http.Headers;

namespace MwgActors.Gateway.Server;

/// <summary>
/// The token of an HTTP request: <c>Authorization: Bearer TOKEN</c>, or <c>?token=TOKEN</c> for browsers, whose
/// websocket API cannot set headers. Null when there is none.
/// </summary>
internal static class HandshakeToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        var query = request.Query["token"].ToString();
        return query.Length > 0 ? query : null;
    }
}
