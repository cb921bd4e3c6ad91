// Tests for the peer baselines (NWaves NLMS, SpeexDSP MDF): each must cancel a noise reference passed
// through a short fixed FIR path by more than 10 dB in steady state and produce a finite residual.

using AncOrleans.Peers;
using AncOrleans.Acoustics.Evaluation;
using Xunit;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

public sealed class PeerCancellerTests
{
    private const int SampleRate = 48_000;
    private const int Seconds = 6;
    private const int PathTaps = 64;
    private const double RequiredReductionDb = 10.0;

    private readonly ITestOutputHelper _output;

    public PeerCancellerTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(NoiseKind.White)]
    [InlineData(NoiseKind.Pink)]
    public void NWavesNlms_CancelsFirPath(NoiseKind kind)
    {
        using var peer = new NWavesNlmsPeer();
        Assert.Equal("nwaves-nlms", peer.Name);
        AssertCancels(peer, kind);
    }

    [Theory]
    [InlineData(NoiseKind.White)]
    [InlineData(NoiseKind.Pink)]
    public void SpeexMdf_CancelsFirPath(NoiseKind kind)
    {
        // Deliberately a failure, not a skip: the comparison is meaningless without the Speex peer.
        Assert.True(
            SpeexMdfPeer.IsAvailable(out var error),
            $"libspeexdsp is required for the speexdsp-mdf peer but could not be loaded: {error}");

        using var peer = new SpeexMdfPeer(SampleRate);
        Assert.Equal("speexdsp-mdf", peer.Name);
        AssertCancels(peer, kind);
    }

    [Fact]
    public void SpeexMdf_ProcessDoesNotAllocate()
    {
        Assert.True(
            SpeexMdfPeer.IsAvailable(out var error),
            $"libspeexdsp is required for the speexdsp-mdf peer but could not be loaded: {error}");

        using var peer = new SpeexMdfPeer(SampleRate);
        var (x, d) = MakeSignals(NoiseKind.White, peer.BlockSize * 20);
        var residual = new float[peer.BlockSize];
        peer.Process(x.AsSpan(0, peer.BlockSize), d.AsSpan(0, peer.BlockSize), residual); // warm-up (JIT)

        ThreadAllocations.AssertNone(() =>
        {
            for (var start = peer.BlockSize; start < x.Length; start += peer.BlockSize)
                peer.Process(x.AsSpan(start, peer.BlockSize), d.AsSpan(start, peer.BlockSize), residual);
        });
    }

    [Fact]
    public void SpeexMdf_IsAvailable_ReportsErrorInsteadOfThrowing()
    {
        var available = SpeexMdfPeer.IsAvailable(out var error);
        Assert.Equal(available, SpeexMdfPeer.IsAvailable());
        Assert.Equal(available, error is null);
        Assert.Equal(error, SpeexMdfPeer.LoadError);
    }

    public enum NoiseKind
    {
        White,
        Pink,
    }

    private void AssertCancels(ICleanCanceller peer, NoiseKind kind)
    {
        var block = peer.BlockSize;
        var n = SampleRate * Seconds / block * block;
        var (x, d) = MakeSignals(kind, n);
        var residual = new float[n];

        for (var start = 0; start < n; start += block)
        {
            peer.Process(x.AsSpan(start, block), d.AsSpan(start, block), residual.AsSpan(start, block));
        }

        var firstNonFinite = Array.FindIndex(residual, v => !float.IsFinite(v));
        Assert.True(firstNonFinite < 0, $"{peer.Name}: residual is not finite at sample {firstNonFinite}.");

        var tail = n - n / 4;
        double pd = 0, pe = 0;
        for (var i = tail; i < n; i++)
        {
            pd += (double)d[i] * d[i];
            pe += (double)residual[i] * residual[i];
        }

        var reductionDb = 10 * Math.Log10(pd / Math.Max(pe, double.Epsilon));
        _output.WriteLine($"{peer.Name} ({kind}): steady-state reduction over last 25% = {reductionDb:F2} dB");
        Assert.True(
            reductionDb > RequiredReductionDb,
            $"{peer.Name} ({kind}): steady-state reduction {reductionDb:F2} dB ≤ {RequiredReductionDb} dB.");
    }

    /// <summary>
    /// x: seeded Gaussian noise (white, or pink via Kellet's filter) at 0.1 rms; d = x * h with h a fixed
    /// 64-tap exponentially decaying random FIR normalised to unit energy, so d is also ≈ 0.1 rms.
    /// </summary>
    private static (float[] X, float[] D) MakeSignals(NoiseKind kind, int n)
    {
        var rng = new Random(20240611);
        var x = new float[n];
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (var i = 0; i < n; i++)
        {
            var w = Gaussian(rng);
            if (kind == NoiseKind.Pink)
            {
                b0 = (0.99886 * b0) + (w * 0.0555179);
                b1 = (0.99332 * b1) + (w * 0.0750759);
                b2 = (0.96900 * b2) + (w * 0.1538520);
                b3 = (0.86650 * b3) + (w * 0.3104856);
                b4 = (0.55000 * b4) + (w * 0.5329522);
                b5 = (-0.7616 * b5) - (w * 0.0168980);
                var p = b0 + b1 + b2 + b3 + b4 + b5 + b6 + (w * 0.5362);
                b6 = w * 0.115926;
                w = p;
            }

            x[i] = (float)w;
        }

        var rms = Math.Sqrt(x.Sum(v => (double)v * v) / n);
        for (var i = 0; i < n; i++)
        {
            x[i] = (float)(x[i] * 0.1 / rms);
        }

        var pathRng = new Random(7);
        var h = new double[PathTaps];
        double energy = 0;
        for (var k = 0; k < PathTaps; k++)
        {
            h[k] = ((2 * pathRng.NextDouble()) - 1) * Math.Exp(-k / 12.0);
            energy += h[k] * h[k];
        }

        var norm = 1 / Math.Sqrt(energy);
        var d = new float[n];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            for (var k = 0; k < PathTaps && k <= i; k++)
            {
                s += h[k] * norm * x[i - k];
            }

            d[i] = (float)s;
        }

        return (x, d);
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
