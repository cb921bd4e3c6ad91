namespace AncOrleans.Gateway.Live;

/// <summary>Section <c>Live</c>: the live page's update channel (docs/observability.md, "Live page").</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>Time between two updates to one viewer; at least 200 ms (≤ 5 updates per second).</summary>
    public int UpdateIntervalMs { get; set; } = 250;

    /// <summary>Most rows of the session list one update carries (the page pages through the rest).</summary>
    public int MaxListRows { get; set; } = 50;

    /// <summary>How long a ticket for the update channel stays valid (it is used once, at the WebSocket upgrade).</summary>
    public int TicketSeconds { get; set; } = 30;

    /// <summary>Most viewers connected at once to this gateway; more are refused with 503.</summary>
    public int MaxViewers { get; set; } = 50;
}
