namespace AncOrleans.Cli.Load;

/// <summary>
/// One thread reads every device's replies (<see cref="LeanWebSocket"/>): it waits on all the sockets with epoll,
/// reads each ready one, then pauses <see cref="Pause"/> so that the next wait finds a batch. With a wake-up per reply
/// the generator's scheduling would cost it more than its reading does (≈ 10,000 wake-ups a second at 100 devices);
/// with the pause it wakes at most ≈ 1,000 times a second. The pause does not enter the round trips: a reply is timed
/// by the kernel's arrival stamp (<see cref="LinuxSockets.Receive"/>), not by when this thread read it.
/// </summary>
internal sealed class ReplyPoller : IDisposable
{
    /// <summary>How long the thread sleeps after a batch.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1);

    private readonly int _epoll = LinuxSockets.CreateEpoll();
    private readonly Lock _gate = new();
    private readonly Dictionary<int, LeanWebSocket> _links = []; // by descriptor: unique while the socket is open
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ReplyPoller()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "anc-load-replies" };
        _thread.Start();
    }

    public void Add(LeanWebSocket link)
    {
        lock (_gate) _links[link.Fd] = link;
        LinuxSockets.Watch(_epoll, link.Fd);
    }

    /// <summary>Before the socket is closed (its descriptor may then be reused).</summary>
    public void Remove(LeanWebSocket link)
    {
        LinuxSockets.Unwatch(_epoll, link.Fd);
        lock (_gate) _links.Remove(link.Fd);
    }

    private void Run()
    {
        var events = new LinuxSockets.EpollEvent[512];
        while (!_stopping)
        {
            var n = LinuxSockets.Wait(_epoll, events, 100, out var errno);
            if (n < 0)
            {
                if (errno == LinuxSockets.EIntr) continue;
                return; // the epoll descriptor was closed: disposed
            }
            for (var i = 0; i < n; i++)
            {
                LeanWebSocket? link;
                lock (_gate) _links.TryGetValue((int)events[i].Data, out link);
                if (link is null || link.Drain()) continue;
                LinuxSockets.Unwatch(_epoll, link.Fd);
                link.Ended();
            }
            if (n > 0) Thread.Sleep(Pause);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(1));
        LinuxSockets.CloseEpoll(_epoll);
    }
}
