namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Streaming conversion of any input rate (8–96 kHz) to the classifier's 16 kHz: a 4th-order Butterworth
/// low-pass at 7 kHz (applied at every rate, 16 kHz included, so training and sessions see the same band),
/// then linear interpolation at the step f_in / 16000. Adequate for band-energy features, not for listening.
/// The two sections run as one block cascade (<see cref="BlockCascade"/>: eight samples at a time) into a
/// scratch buffer that grows to the largest chunk seen; steady state allocates nothing.
/// </summary>
public sealed class Resampler16k
{
    public const int OutputRate = 16_000;
    private readonly BlockCascade _lowPass;
    private readonly double _step;
    private readonly int _whole;   // the step when it is a whole number of input samples (32, 48, 96 kHz), else 0
    private double _position;      // next output time, in input samples relative to the current chunk
    private float _previous;       // last filtered input sample (index −1 of the current chunk)
    private float[] _filtered = [];  // scratch: the low-passed chunk

    public Resampler16k(int inputRate)
    {
        if (inputRate is < 8_000 or > 96_000) throw new ArgumentException($"sample rate {inputRate} is outside 8000–96000 Hz.");
        InputRate = inputRate;
        _step = inputRate / (double)OutputRate;
        _whole = inputRate % OutputRate == 0 ? inputRate / OutputRate : 0;
        var cutoff = Math.Min(7_000, 0.45 * inputRate);
        _lowPass = BlockCascade.ButterworthLowPass(cutoff, inputRate);
        _position = 0;
    }

    public int InputRate { get; }

    /// <summary>The most 16 kHz samples <paramref name="inputLength"/> input samples can give.</summary>
    public int MaxOutput(int inputLength) => (int)Math.Ceiling(inputLength / _step) + 2;

    /// <summary>
    /// Low-passes <paramref name="input"/> (left as it is) and writes its 16 kHz samples to <paramref name="output"/>
    /// (at least <see cref="MaxOutput"/> long); returns how many.
    /// </summary>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length == 0) return 0;
        if (output.Length < MaxOutput(input.Length)) throw new ArgumentException($"output holds {output.Length} samples, {MaxOutput(input.Length)} needed.");
        if (_filtered.Length < input.Length) _filtered = new float[input.Length];
        var filtered = _filtered.AsSpan(0, input.Length);
        _lowPass.Process(input, filtered);
        return Interpolate(filtered, output);
    }

    /// <summary>The low-pass, for a caller that runs it beside another cascade on the same input
    /// (<see cref="BlockCascade.ProcessPair"/>) and passes the result to <see cref="ProcessFiltered"/>.</summary>
    public BlockCascade LowPass => _lowPass;

    /// <summary><see cref="Process"/> for input already low-passed by <see cref="LowPass"/> (in order, every sample once).</summary>
    public int ProcessFiltered(ReadOnlySpan<float> filtered, Span<float> output)
    {
        if (filtered.Length == 0) return 0;
        if (output.Length < MaxOutput(filtered.Length)) throw new ArgumentException($"output holds {output.Length} samples, {MaxOutput(filtered.Length)} needed.");
        return Interpolate(filtered, output);
    }

    private int Interpolate(ReadOnlySpan<float> filtered, Span<float> output)
    {
        // output times t = _position (in input-sample units, −1 ≤ t < input.Length − 1 interpolate between neighbours)
        // the position in a local (a field read and written per sample was a store-to-load chain; the same numbers)
        var written = 0;
        var position = _position;
        if (_whole > 0 && position == Math.Floor(position) && position >= 0)
        {
            // A whole step (48 → 16 kHz: 3) from a whole position: every output falls on an input (f = 0), so the
            // interpolation is a stride (the same numbers: a + 0 · (b − a) = a).
            var at = (int)position;
            for (; at < filtered.Length; at += _whole) output[written++] = filtered[at];
            _previous = filtered[^1];
            _position = at - filtered.Length;
            return written;
        }
        while (position < filtered.Length - 1 + 1e-9)
        {
            var i = (int)Math.Floor(position);
            var f = (float)(position - i);
            var a = i < 0 ? _previous : filtered[i];
            var b = i + 1 < filtered.Length ? filtered[i + 1] : filtered[i];
            output[written++] = a + f * (b - a);
            position += _step;
        }
        _previous = filtered[^1];
        _position = position - filtered.Length;
        return written;
    }
}
