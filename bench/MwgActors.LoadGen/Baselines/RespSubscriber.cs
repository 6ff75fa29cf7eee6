using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace MwgActors.LoadGen;

/// <summary>
/// One Redis subscriber on a TCP connection of its own, speaking just enough RESP2 to SUBSCRIBE and read
/// the pushed messages: a thousand StackExchange.Redis multiplexers (two sockets and a heartbeat each) would
/// weigh on the run more than the thousand plain sockets our own subscribers are. Each message's payload
/// starts with the publisher's 8-byte sequence number; receipts are stamped when the read completing them returns.
/// </summary>
internal sealed class RespSubscriber : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = new byte[64 * 1024];
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _filled;
    private long _maxSeen;
    private int _disposed;
    private long _target = long.MaxValue;

    private RespSubscriber(Socket socket) => _socket = socket;

    /// <summary>Every message received: the publisher's sequence number and when it arrived (Stopwatch ticks).</summary>
    public List<(long Sequence, long ReceivedAt)> Receipts { get; } = [];

    /// <summary>Completes once a message with <paramref name="sequence"/> or a later one has arrived.</summary>
    public Task CaughtUpAsync(long sequence)
    {
        Interlocked.Exchange(ref _target, sequence);
        CheckCaughtUp();
        return _caughtUp.Task;
    }

    /// <summary>Ends when the connection does (after <see cref="DisposeAsync"/>, or if Redis drops it).</summary>
    public Task Receiving { get; private set; } = Task.CompletedTask;

    /// <summary>Connects, sends SUBSCRIBE and waits for Redis to confirm it.</summary>
    public static async Task<RespSubscriber> ConnectAsync(string host, int port, string channel, CancellationToken cancellation)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var subscriber = new RespSubscriber(socket);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(host, port, timeout.Token);
            var name = Encoding.ASCII.GetBytes(channel);
            var command = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"*2\r\n$9\r\nSUBSCRIBE\r\n${name.Length}\r\n{channel}\r\n"));
            await socket.SendAsync(command, SocketFlags.None, timeout.Token);
            subscriber.Receiving = Task.Run(subscriber.ReceiveLoopAsync, CancellationToken.None);
            await subscriber._subscribed.Task.WaitAsync(timeout.Token);
            return subscriber;
        }
        catch
        {
            await subscriber.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Not connected, or already gone.
        }

        _socket.Dispose();
        await Receiving.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                if (_filled == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var read = await _socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                var receivedAt = Stopwatch.GetTimestamp();
                _filled += read;
                var offset = 0;
                while (TryParse(_buffer.AsSpan(offset, _filled - offset), out var consumed, out var kind, out var sequence))
                {
                    offset += consumed;
                    if (kind == Kind.Subscribed)
                    {
                        _subscribed.TrySetResult();
                    }
                    else
                    {
                        Receipts.Add((sequence, receivedAt));
                        Interlocked.Exchange(ref _maxSeen, Math.Max(Interlocked.Read(ref _maxSeen), sequence));
                        CheckCaughtUp();
                    }
                }

                _buffer.AsSpan(offset, _filled - offset).CopyTo(_buffer);
                _filled -= offset;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidDataException)
        {
            _subscribed.TrySetException(new InvalidOperationException("the Redis subscriber's connection failed", ex));
        }
        finally
        {
            _subscribed.TrySetException(new InvalidOperationException("Redis closed the subscriber's connection"));
        }
    }

    // Both sides write their fact with a full fence, then read the other's: one of them completes it.
    private void CheckCaughtUp()
    {
        if (Interlocked.Read(ref _maxSeen) >= Interlocked.Read(ref _target))
        {
            _caughtUp.TrySetResult();
        }
    }

    internal enum Kind
    {
        Subscribed,
        Message,
    }

    /// <summary>
    /// Parses one push: <c>*3 $9 subscribe $ch :n</c> or <c>*3 $7 message $ch $payload</c>. False when the
    /// buffer holds only part of it; <see cref="InvalidDataException"/> for anything else (an error reply).
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<byte> data, out int consumed, out Kind kind, out long sequence)
    {
        consumed = 0;
        kind = Kind.Message;
        sequence = -1;
        var position = 0;
        if (!TryLine(data, ref position, out var header))
        {
            return false;
        }

        if (header.Length < 2 || header[0] != (byte)'*' || !TryNumber(header[1..], out var count) || count != 3)
        {
            throw new InvalidDataException("not a pub/sub push: " + Encoding.ASCII.GetString(header));
        }

        ReadOnlySpan<byte> first = default, third = default;
        for (var i = 0; i < 3; i++)
        {
            if (!TryLine(data, ref position, out var line))
            {
                return false;
            }

            if (line.Length > 0 && line[0] == (byte)':')
            {
                continue; // the subscription count
            }

            if (line.Length < 2 || line[0] != (byte)'$' || !TryNumber(line[1..], out var length))
            {
                throw new InvalidDataException("unexpected RESP element: " + Encoding.ASCII.GetString(line));
            }

            if (data.Length < position + length + 2)
            {
                return false;
            }

            var element = data.Slice(position, (int)length);
            position += (int)length + 2;
            if (i == 0)
            {
                first = element;
            }
            else if (i == 2)
            {
                third = element;
            }
        }

        if (first.SequenceEqual("subscribe"u8))
        {
            kind = Kind.Subscribed;
        }
        else if (first.SequenceEqual("message"u8) && third.Length >= 8)
        {
            sequence = BinaryPrimitives.ReadInt64BigEndian(third);
        }
        else
        {
            throw new InvalidDataException("unexpected push: " + Encoding.ASCII.GetString(first));
        }

        consumed = position;
        return true;
    }

    private static bool TryLine(ReadOnlySpan<byte> data, ref int position, out ReadOnlySpan<byte> line)
    {
        var end = data[position..].IndexOf("\r\n"u8);
        if (end < 0)
        {
            line = default;
            return false;
        }

        line = data.Slice(position, end);
        position += end + 2;
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<byte> digits, out long value) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
