using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace MwgActors.Client.Tests;

/// <summary>
/// A TCP proxy on 127.0.0.1 port 0 in front of a server, to inject faults: <see cref="CutAll"/> drops every
/// connection (both sockets), <see cref="Refuse"/> drops every new one too (a server that is down),
/// <see cref="Pause"/> holds the bytes (a server that does not answer). With a certificate it terminates TLS
/// (a <c>wss://</c> server) and forwards plain TCP.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2? _certificate;
    private readonly List<(TcpClient Client, TcpClient Server)> _pairs = [];
    private readonly System.Threading.Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private TaskCompletionSource _resumed = Completed();
    private bool _refusing;

    public FaultProxy(int targetPort, X509Certificate2? certificate = null)
    {
        TargetPort = targetPort;
        _certificate = certificate;
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Uri => new($"{(_certificate is null ? "ws" : "wss")}://localhost:{Port}/");

    /// <summary>Where new connections go (change it after a server restart on a new port).</summary>
    public int TargetPort { get; set; }

    public int Cuts { get; private set; }

    /// <summary>Drops every open connection, both sides.</summary>
    public void CutAll()
    {
        (TcpClient, TcpClient)[] pairs;
        lock (_lock)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
            Cuts++;
        }

        foreach (var (client, server) in pairs)
        {
            try
            {
                client.Client?.LingerState = new LingerOption(true, 0); // reset, not a graceful FIN
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Closed already.
            }

            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Drops every connection and every new one until <see cref="Accept"/>.</summary>
    public void Refuse()
    {
        lock (_lock)
        {
            _refusing = true;
        }

        CutAll();
    }

    public void Accept()
    {
        lock (_lock)
        {
            _refusing = false;
        }
    }

    /// <summary>Holds every byte (both ways) until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        lock (_lock)
        {
            _resumed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            _resumed.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Resume();
        CutAll();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ConnectAsync(client));
        }
    }

    private async Task ConnectAsync(TcpClient client)
    {
        bool refusing;
        lock (_lock)
        {
            refusing = _refusing;
        }

        var server = new TcpClient();
        try
        {
            if (refusing)
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }

            await server.ConnectAsync(IPAddress.Loopback, TargetPort, _stop.Token);
            Stream clientStream = client.GetStream();
            if (_certificate is not null)
            {
                var tls = new SslStream(clientStream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                clientStream = tls;
            }

            lock (_lock)
            {
                if (_refusing)
                {
                    throw new SocketException((int)SocketError.ConnectionRefused);
                }

                _pairs.Add((client, server));
            }

            var serverStream = server.GetStream();
            await Task.WhenAny(PumpAsync(clientStream, serverStream), PumpAsync(serverStream, clientStream));
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // Cut, refused or stopped.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                Task resumed;
                lock (_lock)
                {
                    resumed = _resumed.Task;
                }

                await resumed.WaitAsync(_stop.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut.
        }
    }
}
