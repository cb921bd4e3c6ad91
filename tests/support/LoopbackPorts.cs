using System.Net;
using System.Net.Sockets;

namespace AncOrleans.Tests;

/// <summary>Free TCP ports on loopback, for servers the tests start.</summary>
public static class LoopbackPorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port nothing listens on right now (the OS's next ephemeral port), and never one this process was given before:
    /// the OS may hand out a port again as soon as the probe closes, so two calls in a row (a silo and a gateway port)
    /// could return the same one (seen once in CI: `StartupValidationTests` then failed on "GatewayPort must differ
    /// from SiloPort" instead of the value it tested).
    /// </summary>
    public static int Free()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
                if (Given.Add(port)) return port;
        }
    }
}
