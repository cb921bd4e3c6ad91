using System.Net;
using System.Net.Sockets;

namespace AncOrleans.Tests;

/// <summary>Free TCP ports on loopback, for servers the tests start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now (the OS's next ephemeral port).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
