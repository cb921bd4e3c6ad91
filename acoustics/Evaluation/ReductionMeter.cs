using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Evaluation;

/// <summary>
/// Reduction dB = 10·log10(P_noise without ANC / P_residual) over the steady-state window (the last 25 %),
/// and convergence time: the start of the first 100 ms window from which every later window stays within
/// 3 dB of that steady-state reduction.
/// </summary>
public static class ReductionMeter
{
    public const double SteadyFraction = 0.75;
    public const double WindowMs = 100;

    public static int SteadyStart(int length) => (int)(length * SteadyFraction);

    public static double Db(ReadOnlySpan<float> noise, ReadOnlySpan<float> residual) => AncProcessor.Decibels(Energy(noise), Energy(residual));

    /// <summary>Σ x², summed in double.</summary>
    public static double Energy(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        foreach (var v in samples) sum += v * v;
        return sum;
    }

    public static double SteadyStateDb(ReadOnlySpan<float> noise, ReadOnlySpan<float> residual)
    {
        var from = SteadyStart(noise.Length);
        return Db(noise[from..], residual[from..]);
    }

    public static double ConvergenceMs(ReadOnlySpan<float> noise, ReadOnlySpan<float> residual, int sampleRate, double finalDb)
    {
        var window = (int)(WindowMs * sampleRate / 1000);
        var count = noise.Length / window;
        var converged = count;
        for (var w = count - 1; w >= 0; w--)
        {
            var db = Db(noise.Slice(w * window, window), residual.Slice(w * window, window));
            if (db < finalDb - 3) break;
            converged = w;
        }
        return converged * WindowMs;
    }
}
