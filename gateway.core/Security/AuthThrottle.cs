using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Security;

/// <summary>
/// Failed authentications per client address (WebSocket upgrade, MQTT connect, REST), in fixed one-minute windows: an
/// address with <c>Auth:MaxFailuresPerMinute</c> failures in the current window is refused at once for the rest of it —
/// no storage read, no key hashing — with the time to wait (HTTP 429 with <c>Retry-After</c>; MQTT "quota exceeded").
/// Guessing device or admin keys and flooding the credential store with made-up ids both stop there. Memory is bounded:
/// past <see cref="MaxClients"/> addresses, windows that have ended are swept, and if none has, new addresses are not
/// tracked (counted in <c>AuthThrottled</c> like a refusal would be). Behind a proxy, every client shares the proxy's
/// address: put the limit at the proxy too (WAF rate rules, docs/security.md).
/// </summary>
public sealed class AuthThrottle(IOptions<AuthOptions> options, GatewayMetrics metrics)
{
    public const int MaxClients = 100_000;
    private static readonly long Window = Stopwatch.Frequency * 60;
    private readonly ConcurrentDictionary<string, Counter> _clients = new();

    private sealed class Counter(long start)
    {
        public long Start = start;
        public int Failures;
    }

    /// <summary>Whether the address may try to authenticate now; if not, the reason (with the wait) for the client.</summary>
    public bool Allows(string? client, out string? reason, out TimeSpan retryAfter)
    {
        reason = null;
        retryAfter = TimeSpan.Zero;
        if (client is null || !_clients.TryGetValue(client, out var counter)) return true;
        var now = Stopwatch.GetTimestamp();
        lock (counter)
        {
            if (now - counter.Start >= Window || counter.Failures < options.Value.MaxFailuresPerMinute) return true;
            retryAfter = TimeSpan.FromSeconds(Math.Ceiling((counter.Start + Window - now) / (double)Stopwatch.Frequency));
        }
        metrics.AuthThrottled.Add(1);
        reason = $"too many failed authentications from this address ({options.Value.MaxFailuresPerMinute} a minute, Auth:MaxFailuresPerMinute); try again in {retryAfter.TotalSeconds:0} s";
        return false;
    }

    /// <summary>Counts a failed authentication from the address.</summary>
    public void Failed(string? client)
    {
        if (client is null) return;
        var now = Stopwatch.GetTimestamp();
        if (!_clients.ContainsKey(client) && _clients.Count >= MaxClients)
        {
            foreach (var (key, old) in _clients)
                if (now - Volatile.Read(ref old.Start) >= Window) _clients.TryRemove(key, out _);
            if (_clients.Count >= MaxClients) return;
        }
        var counter = _clients.GetOrAdd(client, _ => new Counter(now));
        lock (counter)
        {
            if (now - counter.Start >= Window)
            {
                counter.Start = now;
                counter.Failures = 0;
            }
            counter.Failures++;
        }
    }
}
