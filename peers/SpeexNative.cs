// Native bindings for the SpeexDSP MDF echo canceller (speex/speex_echo.h), loaded at run time with
// NativeLibrary ("speexdsp", then "libspeexdsp.so.1") and called through unmanaged function pointers.

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AncOrleans.Peers;

/// <summary>
/// Minimal binding of SpeexDSP's echo-canceller API:
/// <code>
///   SpeexEchoState *speex_echo_state_init(int frame_size, int filter_length);
///   void speex_echo_state_destroy(SpeexEchoState *st);
///   void speex_echo_cancellation(SpeexEchoState *st, const spx_int16_t *rec, const spx_int16_t *play, spx_int16_t *out);
///   int  speex_echo_ctl(SpeexEchoState *st, int request, void *ptr);
/// </code>
/// The library is resolved lazily on first use, trying <c>speexdsp</c> (the runtime adds the platform
/// prefix/suffix) and then the Debian/Ubuntu soname <c>libspeexdsp.so.1</c>, so that only the runtime
/// package (libspeexdsp1) is needed. Resolution is done here, not through an assembly-wide
/// <c>DllImportResolver</c>, so it cannot clash with other native imports in this assembly.
/// A failed load is remembered and reported through <see cref="TryLoad"/> / <see cref="LoadError"/>.
/// </summary>
internal static unsafe class SpeexNative
{
    /// <summary><c>SPEEX_ECHO_GET_FRAME_SIZE</c>: <c>ptr</c> is <c>int*</c>, receives the frame size.</summary>
    public const int SpeexEchoGetFrameSize = 3;

    /// <summary><c>SPEEX_ECHO_SET_SAMPLING_RATE</c>: <c>ptr</c> is <c>int*</c> holding the rate in Hz.</summary>
    public const int SpeexEchoSetSamplingRate = 24;

    /// <summary><c>SPEEX_ECHO_GET_SAMPLING_RATE</c>: <c>ptr</c> is <c>int*</c>, receives the rate in Hz.</summary>
    public const int SpeexEchoGetSamplingRate = 25;

    /// <summary>Names tried in order; the first that loads and exports every symbol wins.</summary>
    private static readonly string[] LibraryNames = ["speexdsp", "libspeexdsp.so.1", "libspeexdsp.1.dylib"];

    private static readonly Lock LoadLock = new();
    private static volatile bool _attempted;
    private static string? _loadError;
    private static nint _library;

    private static delegate* unmanaged<int, int, nint> _stateInit;
    private static delegate* unmanaged<nint, void> _stateDestroy;
    private static delegate* unmanaged<nint, short*, short*, short*, void> _cancellation;
    private static delegate* unmanaged<nint, int, void*, int> _ctl;

    /// <summary>Why the library could not be loaded, or <c>null</c> if it loaded (or was not tried yet).</summary>
    public static string? LoadError
    {
        get
        {
            TryLoad(out _);
            return _loadError;
        }
    }

    /// <summary>Loads libspeexdsp once; returns false (never throws) if it or one of its symbols is missing.</summary>
    public static bool TryLoad(out string? error)
    {
        if (!_attempted)
        {
            lock (LoadLock)
            {
                if (!_attempted)
                {
                    Load();
                    _attempted = true;
                }
            }
        }

        error = _loadError;
        return _library != 0;
    }

    /// <summary>Creates an echo canceller state: <c>speex_echo_state_init(frameSize, filterLength)</c>.</summary>
    public static SpeexEchoStateHandle EchoStateInit(int frameSize, int filterLength)
    {
        EnsureLoaded();
        var state = _stateInit(frameSize, filterLength);
        if (state == 0)
        {
            throw new InvalidOperationException(
                $"speex_echo_state_init({frameSize}, {filterLength}) returned NULL.");
        }

        return new SpeexEchoStateHandle(state);
    }

    /// <summary>
    /// <c>speex_echo_cancellation(st, rec, play, out)</c>: each buffer holds exactly one frame of 16-bit
    /// samples. <paramref name="rec"/> is the microphone (primary), <paramref name="play"/> the far end
    /// (reference), <paramref name="output"/> receives rec with the echo of play removed.
    /// </summary>
    public static void EchoCancellation(SpeexEchoStateHandle state, short* rec, short* play, short* output)
    {
        var added = false;
        try
        {
            state.DangerousAddRef(ref added);
            SseTransition.Clear(); // libspeexdsp is SSE code: no AVX upper state left dirty for it (SseTransition)
            _cancellation(state.DangerousGetHandle(), rec, play, output);
        }
        finally
        {
            if (added)
            {
                state.DangerousRelease();
            }
        }
    }

    /// <summary><c>speex_echo_ctl(st, request, ptr)</c>; returns 0 on success, −1 for an unknown request.</summary>
    public static int EchoCtl(SpeexEchoStateHandle state, int request, void* ptr)
    {
        var added = false;
        try
        {
            state.DangerousAddRef(ref added);
            return _ctl(state.DangerousGetHandle(), request, ptr);
        }
        finally
        {
            if (added)
            {
                state.DangerousRelease();
            }
        }
    }

    /// <summary>Only for <see cref="SpeexEchoStateHandle.ReleaseHandle"/>.</summary>
    internal static void EchoStateDestroy(nint state) => _stateDestroy(state);

    private static void EnsureLoaded()
    {
        if (!TryLoad(out var error))
        {
            throw new DllNotFoundException(error);
        }
    }

    private static void Load()
    {
        var failures = new List<string>();
        foreach (var name in LibraryNames)
        {
            nint handle;
            try
            {
                handle = name.Contains('.', StringComparison.Ordinal)
                    ? NativeLibrary.Load(name)
                    : NativeLibrary.Load(name, typeof(SpeexNative).Assembly, null);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                failures.Add($"'{name}': {ex.Message}");
                continue;
            }

            if (NativeLibrary.TryGetExport(handle, "speex_echo_state_init", out var init)
                && NativeLibrary.TryGetExport(handle, "speex_echo_state_destroy", out var destroy)
                && NativeLibrary.TryGetExport(handle, "speex_echo_cancellation", out var cancel)
                && NativeLibrary.TryGetExport(handle, "speex_echo_ctl", out var ctl))
            {
                _stateInit = (delegate* unmanaged<int, int, nint>)init;
                _stateDestroy = (delegate* unmanaged<nint, void>)destroy;
                _cancellation = (delegate* unmanaged<nint, short*, short*, short*, void>)cancel;
                _ctl = (delegate* unmanaged<nint, int, void*, int>)ctl;
                _library = handle;
                _loadError = null;
                return;
            }

            failures.Add($"'{name}': loaded but does not export the speex_echo_* functions.");
            NativeLibrary.Free(handle);
        }

        _loadError = "libspeexdsp could not be loaded (install libspeexdsp1, e.g. `apt-get install libspeexdsp1`). Tried "
            + string.Join("; ", failures);
    }
}

/// <summary>Owns a <c>SpeexEchoState*</c>; releasing it calls <c>speex_echo_state_destroy</c>.</summary>
internal sealed class SpeexEchoStateHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SpeexEchoStateHandle()
        : base(ownsHandle: true)
    {
    }

    internal SpeexEchoStateHandle(nint state)
        : base(ownsHandle: true)
    {
        SetHandle(state);
    }

    protected override bool ReleaseHandle()
    {
        SpeexNative.EchoStateDestroy(handle);
        return true;
    }
}
