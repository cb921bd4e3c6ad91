using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace AncOrleans.Peers;

/// <summary>
/// Clears the upper halves of the AVX registers (<c>VZEROUPPER</c>) before a call into native code built for SSE.
/// <para>
/// Why: .NET's JIT code and runtime use 256-bit AVX and leave the registers' upper halves dirty across an unmanaged
/// function-pointer call. libspeexdsp (Debian's build) is SSE code without VEX encoding; on this CPU every SSE
/// instruction that runs with a dirty upper state pays a merge with the upper bits (Intel's "SSE/AVX transition"
/// penalty: a false dependency and a blend per instruction on Skylake and later). Measured in the bench process
/// (`--only speexdsp-mdf --scenario hum`): MDF at 16.5 ms per audio second, and 5.70 with the runtime's AVX off
/// (`DOTNET_EnableAVX=0`) — the peer ran ~2.9× slower than it does in a C program, which flattered ours in every
/// comparison made in one process (docs/measurements/benchmarks.md, "SpeexDSP's slow mode explained").
/// </para>
/// <para>
/// How: four bytes of machine code (<c>C5 F8 77 C3</c>: <c>vzeroupper; ret</c>) in a page mapped executable once,
/// called through an unmanaged function pointer. Only on Linux x64 with AVX; elsewhere <see cref="Clear"/> does
/// nothing. The peer's own results are unchanged (the instruction touches no state SSE code reads).
/// </para>
/// </summary>
internal static unsafe class SseTransition
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4, MapPrivate = 0x02, MapAnonymous = 0x20;
    private static readonly delegate* unmanaged<void> Thunk = Create();

    /// <summary>True when <see cref="Clear"/> really clears (Linux x64 with AVX, and the page could be mapped).</summary>
    public static bool Active => Thunk != null;

    /// <summary><c>VZEROUPPER</c>, if <see cref="Active"/>.</summary>
    public static void Clear()
    {
        if (Thunk != null) Thunk();
    }

    private static delegate* unmanaged<void> Create()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64 || !Avx.IsSupported) return null;
        try
        {
            var page = Mmap(0, 4096, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (page == -1 || page == 0) return null;
            var code = (byte*)page;
            code[0] = 0xC5; // vzeroupper (VEX.128.0F.WIG 77)
            code[1] = 0xF8;
            code[2] = 0x77;
            code[3] = 0xC3; // ret
            if (Mprotect(page, 4096, ProtRead | ProtExec) != 0) return null;
            return (delegate* unmanaged<void>)page;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "mmap")]
    private static extern nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int Mprotect(nint address, nuint length, int protection);
}
