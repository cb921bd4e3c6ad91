using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Live;

/// <summary>
/// Short-lived, single-use tickets for the live page's WebSocket: a browser cannot set <c>Authorization</c> on a
/// WebSocket, and the admin or reader key should not travel in a URL. A reader or admin asks for a ticket over REST
/// (with the key in the header), then opens <c>/v1/live?ticket=…</c> within <see cref="LiveOptions.TicketSeconds"/>;
/// the upgrade redeems it. At most <see cref="MaxOutstanding"/> tickets are held (expired ones are swept on issue).
/// It also counts the connected viewers (<see cref="LiveOptions.MaxViewers"/>).
/// </summary>
public sealed class LiveTickets(IOptions<LiveOptions> options, TimeProvider clock)
{
    public const int MaxOutstanding = 1_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tickets = new(StringComparer.Ordinal);
    private int _viewers;

    /// <summary>Counts a viewer in, unless <paramref name="max"/> are connected already.</summary>
    public bool TryEnter(int max)
    {
        if (Interlocked.Increment(ref _viewers) <= max) return true;
        Interlocked.Decrement(ref _viewers);
        return false;
    }

    /// <summary>A viewer left.</summary>
    public void Leave() => Interlocked.Decrement(ref _viewers);

    /// <summary>A new ticket and when it expires, or null when too many are outstanding.</summary>
    public (string Ticket, DateTimeOffset Expires)? Issue()
    {
        var now = clock.GetUtcNow();
        foreach (var (ticket, expires) in _tickets)
            if (expires <= now) _tickets.TryRemove(ticket, out _);
        if (_tickets.Count >= MaxOutstanding) return null;
        var value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var until = now.AddSeconds(options.Value.TicketSeconds);
        _tickets[value] = until;
        return (value, until);
    }

    /// <summary>Uses the ticket up: true once, if it exists and has not expired.</summary>
    public bool Redeem(string? ticket) =>
        !string.IsNullOrEmpty(ticket) && _tickets.TryRemove(ticket, out var expires) && expires > clock.GetUtcNow();
}
