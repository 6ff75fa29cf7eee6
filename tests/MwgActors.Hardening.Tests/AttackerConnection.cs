using System.Net.WebSockets;
using MwgActors.Protocol;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// A narrow-token extended connection that sends attack frames and tallies whatever comes back. It never hides a
/// failure of the server: a closed connection or a missing answer is counted, and the connection reports itself gone.
/// </summary>
internal sealed class AttackerConnection : IAsyncDisposable
{
    /// <summary>How long an attack request may wait for its answer before it counts as unanswered.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly ProtocolClient _client;
    private readonly AttackTally _tally;

    private AttackerConnection(ProtocolClient client, AttackTally tally)
    {
        _client = client;
        _tally = tally;
    }

    /// <summary>False once the server closed the connection or stopped answering it.</summary>
    public bool Open { get; private set; } = true;

    /// <summary>A connection, or null (tallied) when the server refused it: refusing an attacker's connection is fine.</summary>
    public static async Task<AttackerConnection?> ConnectAsync(Uri uri, string token, AttackTally tally)
    {
        try
        {
            var client = await ProtocolClient.ConnectAsync(uri, Dialect.Extended, o => o.SetRequestHeader("Authorization", "Bearer " + token));
            return new AttackerConnection(client, tally);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            tally.Add(AttackTally.ConnectRefused);
            return null;
        }
    }

    public RequestId NextId() => _client.NextId();

    /// <summary>Sends and waits for the answer: the reply, or null when the connection closed or no answer came.</summary>
    /// <remarks>One request at a time: a websocket allows one send at a time; attackers run in parallel instead.</remarks>
    public async Task<Reply?> SendAsync(Request request)
    {
        if (!Open)
        {
            return null;
        }

        var reply = _client.SendAsync(request, Bound);
        try
        {
            await Task.WhenAny(reply, _client.Closed).WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            _tally.Add(AttackTally.NoAnswer);
            Open = false;
            return null;
        }

        if (reply.IsCompletedSuccessfully)
        {
            _tally.Add(reply.Result);
            return reply.Result;
        }

        _tally.Add(reply.Exception?.InnerException is TimeoutException ? AttackTally.NoAnswer : AttackTally.ClosedKind(_client.CloseStatus));
        Open = false;
        return null;
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();
}
