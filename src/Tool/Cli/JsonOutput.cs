using System.Text.Encodings.Web;
using System.Text.Json;

namespace MwgActors.Tool.Cli;

/// <summary>How the client commands write <c>--json</c>: compact, one object per line, non-ASCII text as is.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };
}
