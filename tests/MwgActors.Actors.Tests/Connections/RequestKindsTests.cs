using MwgActors.Actors.Connections;
using MwgActors.Protocol;

namespace MwgActors.Actors.Tests.Connections;

/// <summary>Each request's kind, and each limit error's setting.</summary>
public sealed class RequestKindsTests
{
    private static readonly RequestId Id = RequestId.FromString("1");

    public static TheoryData<Request, string> Requests => new()
    {
        { new Get(Id, [[1]]), nameof(RequestKind.Get) },
        { new Put(Id, [new KeyValue([1], [2])]), nameof(RequestKind.Put) },
        { new Remove(Id, [[1]]), nameof(RequestKind.Remove) },
        { new Protocol.Lock(Id), nameof(RequestKind.Lock) },
        { new Unlock(Id, 3, [4]), nameof(RequestKind.Unlock) },
        { new Subscribe(Id, [[1]], null, false), nameof(RequestKind.Subscribe) },
        { new Unsubscribe(Id, 5), nameof(RequestKind.Unsubscribe) },
        { new Ping(Id), nameof(RequestKind.Ping) },
        { new Protocol.Auth(Id, "token"), nameof(RequestKind.Auth) },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Every_request_should_have_its_own_kind(Request request, string kind)
    {
        Assert.Equal(Enum.Parse<RequestKind>(kind), RequestKinds.Of(request));
    }

    [Fact]
    public void Every_kind_but_unknown_should_belong_to_a_request()
    {
        var named = Requests.Select(row => Enum.Parse<RequestKind>((string)row[1])).ToHashSet();
        Assert.Equal(Enum.GetValues<RequestKind>().Where(k => k != RequestKind.Unknown), named.Order());
    }

    [Theory]
    [InlineData(ErrorCode.FrameTooLarge, "mwg.protocol.max-frame-size")]
    [InlineData(ErrorCode.TooManyKeys, "mwg.protocol.max-keys-per-batch")]
    [InlineData(ErrorCode.KeyTooLarge, "mwg.protocol.max-key-size")]
    [InlineData(ErrorCode.ValueTooLarge, "mwg.protocol.max-value-size")]
    [InlineData(ErrorCode.TooManyPrefixes, "mwg.protocol.max-prefixes-per-subscription or max-prefix-bytes-per-connection")]
    public void A_limit_error_should_name_its_setting(ErrorCode code, string setting)
    {
        Assert.Equal(setting, LimitSettings.Of(code));
    }

    [Theory]
    [InlineData(ErrorCode.BadFrame)]
    [InlineData(ErrorCode.UnknownType)]
    [InlineData(ErrorCode.Unauthorized)]
    public void Another_error_should_name_no_setting(ErrorCode code)
    {
        Assert.Null(LimitSettings.Of(code));
    }
}
