using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MwgActors.Hardening.Tests;

/// <summary>
/// A raw TCP client that asks <c>GET /keys</c> for a prefix (values included, the largest limit) and then never reads
/// a byte: the server's response can only sit in its buffers. The receive window is made as small as the kernel allows,
/// so the server is stalled after a few kilobytes rather than after the loopback's megabytes of socket buffers.
/// </summary>
internal sealed class StalledListing : IDisposable
{
    private readonly Socket _socket;

    private StalledListing(Socket socket) => _socket = socket;

    /// <summary>The connection with its request sent, or null (tallied) when the server refused or reset it.</summary>
    public static async Task<StalledListing?> StartAsync(Uri server, string token, string prefix, AttackTally tally)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(IPAddress.Loopback, server.Port, timeout.Token);
            var request = $"GET /keys?prefix={Uri.EscapeDataString(prefix)}&limit=10000 HTTP/1.1\r\n"
                + $"Host: 127.0.0.1:{server.Port}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, timeout.Token);
            tally.Add("listing requested, never read");
            return new StalledListing(socket);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            tally.Add("listing connection refused");
            socket.Dispose();
            return null;
        }
    }

    public void Dispose() => _socket.Dispose();
}
