namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Streaming conversion of any input rate (8–96 kHz) to the classifier's 16 kHz: a 4th-order Butterworth
/// low-pass at 7 kHz (applied at every rate, 16 kHz included, so training and sessions see the same band),
/// then linear interpolation at the step f_in / 16000. Adequate for band-energy features, not for listening.
/// </summary>
public sealed class Resampler16k
{
    public const int OutputRate = 16_000;
    private readonly Biquad[] _lowPass;
    private readonly double _step;
    private double _position;      // next output time, in input samples relative to the current chunk
    private float _previous;       // last filtered input sample (index −1 of the current chunk)

    public Resampler16k(int inputRate)
    {
        if (inputRate is < 8_000 or > 96_000) throw new ArgumentException($"sample rate {inputRate} is outside 8000–96000 Hz.");
        InputRate = inputRate;
        _step = inputRate / (double)OutputRate;
        var cutoff = Math.Min(7_000, 0.45 * inputRate);
        _lowPass = Biquad.Butterworth4.Select(q => Biquad.LowPass(cutoff, inputRate, q)).ToArray();
        _position = 0;
    }

    public int InputRate { get; }

    /// <summary>Filters <paramref name="input"/> in place and appends the 16 kHz samples to <paramref name="output"/>.</summary>
    public void Process(Span<float> input, List<float> output)
    {
        foreach (var section in _lowPass) section.Process(input);
        // output times t = _position (in input-sample units, −1 ≤ t < input.Length − 1 interpolate between neighbours)
        while (_position < input.Length - 1 + 1e-9 && input.Length > 0)
        {
            var i = (int)Math.Floor(_position);
            var f = (float)(_position - i);
            var a = i < 0 ? _previous : input[i];
            var b = i + 1 < input.Length ? input[i + 1] : input[i];
            output.Add(a + f * (b - a));
            _position += _step;
        }
        if (input.Length == 0) return;
        _previous = input[^1];
        _position -= input.Length;
    }
}
