using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MwgActors.Gateway.Tests;

/// <summary>One HTTP/1.1 request written by hand, for headers HttpClient and ClientWebSocket will not forge (Host).</summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="head"/> (request line and headers, without the blank line) and returns the status.</summary>
    public static async Task<int> StatusAsync(int port, string head)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(head + "\r\n\r\n"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (!Encoding.ASCII.GetString([.. received]).Contains("\r\n", StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n));
        }

        var statusLine = Encoding.ASCII.GetString([.. received]).Split("\r\n")[0];
        return int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>A websocket upgrade request's head at <paramref name="path"/> with these Host and Origin headers.</summary>
    public static string Upgrade(string host, string? origin = null, string path = "/") =>
        $"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
        $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mwg.v1" + (origin is null ? string.Empty : $"\r\nOrigin: {origin}");
}
