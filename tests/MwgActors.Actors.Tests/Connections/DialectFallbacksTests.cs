using MwgActors.Actors.Connections;
using MwgActors.Protocol;
using static MwgActors.Actors.Connections.FallbackAction;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>What each dialect does where the extended dialects send an error frame.</summary>
public sealed class DialectFallbacksTests
{
    private static readonly DialectFallbacks G1 = DialectFallbacks.For(extended: false);
    private static readonly DialectFallbacks Extended = DialectFallbacks.For(extended: true);

    [Fact]
    public void The_extended_dialects_should_answer_every_situation_with_an_error_frame_and_close_only_when_idle()
    {
        var situations = Situations(Extended).ToList();

        Assert.All(situations.Where(s => s.Name is not ("PushNotRepresentable" or "IdleTimeout")), s => Assert.Equal(ErrorFrame, s.Fallback.Action));
        Assert.Equal(Skip, Extended.PushNotRepresentable.Action);
        Assert.Equal((Close, CloseCodes.GoingAway), (Extended.IdleTimeout.Action, Extended.IdleTimeout.CloseCode));
    }

    [Fact]
    public void A_fallback_should_send_the_error_frame_the_false_answer_or_nothing()
    {
        const string frame = "error frame";
        const string falseAnswer = "false";

        Assert.Equal(frame, Fallback.Error.AnswerOf(frame, falseAnswer));
        Assert.Equal(falseAnswer, Fallback.False.AnswerOf(frame, falseAnswer));
        Assert.Null(Fallback.Skip.AnswerOf(frame, falseAnswer));
        Assert.Null(Fallback.Closes(CloseCodes.PolicyViolation, "forbidden").AnswerOf(frame, falseAnswer));
        Assert.Null(new Fallback(Delay).AnswerOf(frame, falseAnswer));
        Assert.Null(Fallback.Error.AnswerOf(null, falseAnswer)); // a situation with no frame to send sends nothing
    }

    [Theory]
    [InlineData(nameof(RequestKind.Put), nameof(AnswerFalse), 0)]
    [InlineData(nameof(RequestKind.Remove), nameof(AnswerFalse), 0)]
    [InlineData(nameof(RequestKind.Get), nameof(Close), CloseCodes.PolicyViolation)]
    [InlineData(nameof(RequestKind.Subscribe), nameof(Close), CloseCodes.PolicyViolation)]
    [InlineData(nameof(RequestKind.Lock), nameof(Close), CloseCodes.PolicyViolation)]
    public void G1_should_answer_a_refused_write_false_and_close_for_anything_else(string requestKind, string expected, int closeCode)
    {
        var (kind, action) = (Enum.Parse<RequestKind>(requestKind), Enum.Parse<FallbackAction>(expected));
        var refusal = G1.RefusalOf(kind);

        Assert.Equal((action, closeCode), (refusal.Action, refusal.CloseCode));
        Assert.Equal(ErrorFrame, Extended.RefusalOf(kind).Action);
    }

    [Fact]
    public void G1_should_answer_a_failed_write_false_and_leave_a_failed_read_to_the_close_of_an_error_it_cannot_carry()
    {
        Assert.Equal(AnswerFalse, G1.StorageFailureOf(RequestKind.Put).Action);
        Assert.Equal(AnswerFalse, G1.StorageFailureOf(RequestKind.Remove).Action);
        Assert.Equal(ErrorFrame, G1.StorageFailureOf(RequestKind.Get).Action);
        Assert.Equal((Close, CloseCodes.InternalError), (G1.ReplyNotRepresentable.Action, G1.ReplyNotRepresentable.CloseCode));
    }

    [Theory]
    [InlineData(ErrorCode.FrameTooLarge, CloseCodes.MessageTooBig)]
    [InlineData(ErrorCode.BadFrame, CloseCodes.ProtocolError)]
    [InlineData(ErrorCode.KeyTooLarge, CloseCodes.ProtocolError)]
    public void G1_should_close_on_a_bad_frame_with_the_code_of_its_cause(ErrorCode code, int closeCode)
    {
        Assert.Equal((Close, closeCode), (G1.BadFrameOf(code).Action, G1.BadFrameOf(code).CloseCode));
        Assert.Equal(AnswerFalse, G1.BadWrite.Action);
    }

    [Fact]
    public void G1_should_close_where_it_has_no_signal_delay_over_the_rate_and_never_time_out_idle()
    {
        Assert.Equal((Close, CloseCodes.InternalError, "request timed out"), (G1.TimedOut.Action, G1.TimedOut.CloseCode, G1.TimedOut.CloseReason));
        Assert.Equal((Close, CloseCodes.PolicyViolation, "token expired"), (G1.TokenExpired.Action, G1.TokenExpired.CloseCode, G1.TokenExpired.CloseReason));
        Assert.Equal((Close, CloseCodes.MessageTooBig), (G1.ReplyTooLargeNotRepresentable.Action, G1.ReplyTooLargeNotRepresentable.CloseCode));
        Assert.Equal((Close, CloseCodes.PolicyViolation), (G1.Overflow.Action, G1.Overflow.CloseCode));
        Assert.Equal(Delay, G1.RateLimited.Action);
        Assert.Equal(Skip, G1.IdleTimeout.Action);
        Assert.Equal(Skip, G1.PushNotRepresentable.Action);
    }

    [Fact]
    public void Every_close_should_carry_a_close_code_and_a_reason()
    {
        Assert.All(Situations(G1).Concat(Situations(Extended)).Where(s => s.Fallback.Action == Close), s =>
        {
            Assert.InRange(s.Fallback.CloseCode, 1000, 4999);
            Assert.NotEmpty(s.Fallback.CloseReason);
        });
    }

    private static IEnumerable<(string Name, Fallback Fallback)> Situations(DialectFallbacks fallbacks) =>
        typeof(DialectFallbacks).GetProperties()
            .Where(p => p.PropertyType == typeof(Fallback))
            .Select(p => (p.Name, (Fallback)p.GetValue(fallbacks)!));
}
