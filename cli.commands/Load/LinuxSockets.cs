using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AncOrleans.Cli.Load;

/// <summary>
/// The Linux calls the load generator's lean WebSocket needs and .NET does not expose: epoll (one thread waits on every
/// device's socket), <c>recvmsg</c> with the kernel's receive timestamp (<c>SO_TIMESTAMPNS</c>: when the segment reached
/// the socket, not when the generator got round to reading it), and the clocks to turn that timestamp into
/// <see cref="Stopwatch"/> ticks. Linux on x86-64 only (<see cref="Supported"/>): the layouts below are that ABI's.
/// </summary>
internal static unsafe partial class LinuxSockets
{
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35;  // SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD on x86-64); its cmsg type is the same number
    private const int MsgDontWait = 0x40;
    private const int EpollCtlAdd = 1, EpollCtlDel = 2;
    private const uint EpollIn = 0x001, EpollRdHup = 0x2000;
    private const int ClockRealtime = 0;
    public const int EAgain = 11, EIntr = 4;

    /// <summary>Whether this process can use these calls (the struct layouts are x86-64 Linux's).</summary>
    public static bool Supported => OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;

    /// <summary><c>struct epoll_event</c>, packed on x86-64 (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public byte* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, EpollEvent* e);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, EpollEvent* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, TimeSpec* time);

    public static int CreateEpoll()
    {
        var fd = EpollCreate1(0);
        return fd >= 0 ? fd : throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    public static void CloseEpoll(int epoll) => Close(epoll);

    /// <summary>Watches <paramref name="fd"/> for input (level-triggered); the descriptor comes back in its events' <see cref="EpollEvent.Data"/>.</summary>
    public static void Watch(int epoll, int fd)
    {
        var e = new EpollEvent { Events = EpollIn | EpollRdHup, Data = (ulong)fd };
        if (EpollCtl(epoll, EpollCtlAdd, fd, &e) != 0)
            throw new IOException($"epoll_ctl(ADD, {fd}) failed (errno {Marshal.GetLastPInvokeError()}).");
    }

    public static void Unwatch(int epoll, int fd)
    {
        var e = default(EpollEvent);
        EpollCtl(epoll, EpollCtlDel, fd, &e);
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for ready sockets; their count, or −1 with <paramref name="errno"/>.</summary>
    public static int Wait(int epoll, Span<EpollEvent> events, int timeoutMs, out int errno)
    {
        fixed (EpollEvent* e = events)
        {
            var n = EpollWait(epoll, e, events.Length, timeoutMs);
            errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
            return n;
        }
    }

    /// <summary>Asks the kernel to stamp each received segment with its arrival time (<c>SO_TIMESTAMPNS</c>).</summary>
    public static void StampArrivals(System.Net.Sockets.Socket socket) =>
        socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));

    /// <summary>
    /// Reads what the socket holds, without waiting: the bytes read (0: the peer closed it; −1: nothing, or an error in
    /// <paramref name="errno"/>), and when the last segment read reached the socket, as a <see cref="Stopwatch"/>
    /// timestamp (the time of the call if the kernel gave none).
    /// </summary>
    public static int Receive(int fd, Span<byte> buffer, out long arrived, out int errno)
    {
        const int controlBytes = 64;
        var control = stackalloc byte[controlBytes];
        fixed (byte* data = buffer)
        {
            var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = controlBytes };
            var n = RecvMsg(fd, &message, MsgDontWait);
            arrived = 0;
            if (n < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return -1;
            }
            errno = 0;
            // The control messages: struct cmsghdr { size_t len; int level; int type; } then the data, 8-byte aligned.
            var used = (int)message.ControlLength;
            for (var at = 0; at + 16 <= used;)
            {
                var length = (int)*(nuint*)(control + at);
                if (length < 16) break;
                if (*(int*)(control + at + 8) == SolSocket && *(int*)(control + at + 12) == SoTimestampNs && length >= 16 + sizeof(TimeSpec))
                {
                    var stamp = (TimeSpec*)(control + at + 16);
                    arrived = FromRealtime(stamp->Seconds * 1_000_000_000 + stamp->Nanoseconds);
                }
                at += (length + 7) & ~7;
            }
            if (arrived == 0) arrived = Stopwatch.GetTimestamp();
            return (int)n;
        }
    }

    /// <summary>A CLOCK_REALTIME instant (ns) as a <see cref="Stopwatch"/> timestamp, through both clocks read now.</summary>
    private static long FromRealtime(long realtimeNs)
    {
        TimeSpec now;
        ClockGetTime(ClockRealtime, &now);
        var ticks = Stopwatch.GetTimestamp();
        var ago = now.Seconds * 1_000_000_000 + now.Nanoseconds - realtimeNs;
        return ticks - (long)(ago * (Stopwatch.Frequency / 1e9));
    }
}
