using System.Collections.Concurrent;
using MwgActors.Protocol;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// What the attackers' requests got back, by kind: a reply type, an error code, the connection closed (with its close
/// status) or refused, no answer. An attack may be served (within budget) or refused in any typed way: an error of a
/// budget code, a refused connection, a connection closed by policy. Not acceptable: no answer within the bound, an
/// error that is not a budget (Timeout, Internal: the server paid and failed), a close with 1011 (an internal error);
/// nor answers that say the attack itself was malformed or not allowed to the token, because then it proved nothing.
/// </summary>
internal sealed class AttackTally
{
    public const string NoAnswer = "no answer";
    public const string ConnectRefused = "connect refused";

    private static readonly ErrorCode[] Budgets =
    [
        ErrorCode.TooManyKeys, ErrorCode.TooManySubscriptions, ErrorCode.ReplyTooLarge, ErrorCode.TooManyPrefixes,
        ErrorCode.LeaseQuotaExceeded, ErrorCode.RateLimited, ErrorCode.Overloaded,
    ];

    private static readonly ErrorCode[] Malformed =
    [
        ErrorCode.BadFrame, ErrorCode.UnknownType, ErrorCode.FrameTooLarge, ErrorCode.KeyTooLarge, ErrorCode.ValueTooLarge,
        ErrorCode.Unauthorized, ErrorCode.Forbidden,
    ];

    private readonly ConcurrentDictionary<string, int> _counts = new();

    public void Add(string kind) => _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Add(Reply reply) => Add(reply is Error error ? ErrorKind(error.Code) : reply.GetType().Name);

    public static string ClosedKind(System.Net.WebSockets.WebSocketCloseStatus? status) => $"connection closed ({status?.ToString() ?? "no close frame"})";

    public int Count(string kind) => _counts.GetValueOrDefault(kind);

    /// <summary>Fails on an answer that is not an acceptable way to serve or refuse the attack (see the class).</summary>
    public void AssertAnswersAcceptable(string phase)
    {
        foreach (var code in Malformed)
        {
            Assert.True(Count(ErrorKind(code)) == 0, $"{phase}: the server answered {code}: the attack was not what it claims to be ({this})");
        }

        Assert.True(Count(NoAnswer) == 0, $"{phase}: attack requests went unanswered: the server was paying for them ({this})");
        Assert.True(Count(ClosedKind(System.Net.WebSockets.WebSocketCloseStatus.InternalServerError)) == 0,
            $"{phase}: attack connections were closed with an internal error, not refused ({this})");
        var notBudgets = Enum.GetValues<ErrorCode>().Except(Budgets).Except(Malformed).Where(c => Count(ErrorKind(c)) > 0).ToArray();
        Assert.True(notBudgets.Length == 0, $"{phase}: the server answered {string.Join(", ", notBudgets)}, which is no budget refusal ({this})");
    }

    public override string ToString() =>
        _counts.IsEmpty ? "nothing" : string.Join(", ", _counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} x{p.Value}"));

    private static string ErrorKind(ErrorCode code) => "error " + code;
}
