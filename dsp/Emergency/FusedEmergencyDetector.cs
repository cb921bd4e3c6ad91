using AncOrleans.Dsp.Classification;

namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The emergency decision a session runs: the DSP patterns (<see cref="EmergencyDetector"/>) and the noise
/// classifier (<see cref="NoiseFeatures"/> and its log-mel patch → <see cref="NoiseClassifierModel"/> with its CNN, one window per ≈ 0.98 s) fused by
/// <see cref="EmergencyFusion"/>, streaming:
/// <code>
///   a pattern starts            → judged at once against the latest window's probabilities; if rejected it stays
///                                 pending and is judged again on every new window while the pattern is active
///   a new window                → the pending/active pattern or, with none, the model alone
///   alert → active; cleared when neither the pattern nor the model has held it for ReleaseSeconds
/// </code>
/// Latency: an accepted pattern alerts as fast as the pattern detector does (sirens ≈ 1 s, T3 ≤ one cycle); a
/// rejected-then-accepted one, or a model-only alert, at the end of the window that shows it (≤ 1 s later).
/// Before the first window (the first 0.99 s of a stream, later by <see cref="OffsetWindows"/>) a pattern is accepted unjudged: safety first.
/// The patterns and the features share one <see cref="Spectrum16k"/> front end, which the patterns push: the input is
/// resampled to 16 kHz and transformed once per 16 ms hop for both (issue 13).
/// Guards: the sample loops allocate nothing (each finished window allocates its feature vector and the model's scores).
/// Each window's features and probabilities are handed out (<see cref="WindowFinished"/>), so a session's classifier
/// reuses them rather than computing them again (issue 13).
/// </summary>
public sealed class FusedEmergencyDetector : IEmergencyDetector, IClassifierWindowSource
{
    private readonly EmergencyDetector _patterns;
    private readonly NoiseFeatures _features;
    private readonly NoiseClassifierModel _model;
    private readonly EmergencyFusion _fusion;
    private readonly YamNetStream? _tagger;
    private readonly TaggerHead? _head;
    private float[] _headLatest = [];   // the head's probabilities for the latest patch (empty until one)
    [ThreadStatic] private static float[]? _headScratch;
    private readonly int _rate, _chunk;
    // The latest two windows' probabilities, copied into arrays of the detector's own (swapped, never reallocated): the
    // model's fresh array for each window is handed out (WindowFinished), and keeping it in a field of this long-lived
    // object made an old-to-young reference per session in each gen-0 collection (infra/local/old-to-young.sh; the
    // effect, with FeaturePublisher's, in docs/measurements/benchmarks.md). Empty until a window has come.
    private float[] _latest = [], _previous = [];
    private string? _pending, _active;
    private float[]? _heldPatch;  // a tagger patch that came before the model's first window
    private bool _patchHeld;
    private long _samples;
    private double _lastSeen;

    /// <param name="tagger">A pretrained AudioSet tagger (<see cref="YamNet"/>) that votes too, or null.</param>
    /// <param name="head">With a tagger: blends its embedding into the windows handed out (<see cref="TaggerHead"/>; the
    /// fusion keeps the model's own probabilities), or null.</param>
    public FusedEmergencyDetector(int sampleRate, NoiseClassifierModel model, EmergencyFusionOptions? options = null, YamNet? tagger = null, TaggerHead? head = null)
    {
        _rate = sampleRate;
        var front = new Spectrum16k(sampleRate);
        _patterns = new EmergencyDetector(sampleRate, front);  // subscribes first: a hop's tone frame before its window
        _features = new NoiseFeatures(front, OnWindow);
        _model = model;
        _fusion = new EmergencyFusion(model.Labels, options, tagged: tagger is not null);
        if (tagger is not null)
        {
            _tagger = new YamNetStream(tagger);
            front.Resampled += _tagger.Push;
            var gate = _fusion.Options.TaggerGate;
            if (gate > 0) _tagger.ShouldScore = () => _pending is not null || _patterns.Active is not null || EmergencyProbability() >= gate;
            if (head is not null && head.Labels.SequenceEqual(model.Labels) && head.Dimensions == tagger.Channels) _head = head;
            _tagger.PatchScored += (scores, _) =>
            {
                if (_head is not null)
                {
                    if (_headLatest.Length == 0) _headLatest = SessionArray.Of<float>(_head.Labels.Length);
                    var scratch = _headScratch is { } a && a.Length >= _head.Dimensions ? a : _headScratch = new float[_head.Dimensions];
                    _head.Predict(_tagger.Embedding, _headLatest, scratch);
                }
                if (_latest.Length == 0 && _fusion.Options.TaggerVetoes.Count > 0)
                {
                    // the first patch ends (0.975 s) just before the model's first window (0.976 s): judged with it
                    scores.CopyTo(_heldPatch ??= SessionArray.Of<float>(scores.Length), 0);
                    _patchHeld = true;
                }
                else if (_fusion.DecideTagged(scores, _latest) is { } kind) Raise(kind);
            };
        }
        Labels = [.. model.Labels];
        _chunk = Math.Max(1, sampleRate / 100);
        _patterns.Detected += (kind, _) => { _pending = kind; Judge(); };
    }

    /// <summary>The emergency being signalled, or null.</summary>
    public string? Active => _active;

    /// <summary>The model's labels, the order of <see cref="WindowFinished"/>'s probabilities.</summary>
    public string[] Labels { get; }

    /// <inheritdoc />
    public event Action<float[], float[]?>? WindowFinished;

    public void OffsetWindows(int hops) => _features.SkipHops(hops);

    /// <summary>Raised when an alert starts: (kind, seconds since the first sample).</summary>
    public event Action<string, double>? Detected;

    /// <summary>Raised when an alert has had no support for <see cref="EmergencyDetector.ReleaseSeconds"/>.</summary>
    public event Action<string, double>? Cleared;

    private double Now => (double)_samples / _rate;

    public void Push(ReadOnlySpan<float> samples)
    {
        for (var start = 0; start < samples.Length; start += _chunk)
        {
            var chunk = samples.Slice(start, Math.Min(_chunk, samples.Length - start));
            _samples += chunk.Length;
            _patterns.Push(chunk); // and, through the shared front end, the features (OnWindow)
            if (_active is not null && _patterns.Active == _active) _lastSeen = Now;
            if (_patterns.Active is null) _pending = null;
            if (_active is not null && _patterns.Active is null && Now - _lastSeen > EmergencyDetector.ReleaseSeconds)
            {
                var cleared = _active;
                _active = null;
                Cleared?.Invoke(cleared, Now);
            }
        }
    }

    private void OnWindow(float[] window)
    {
        var probabilities = _model.Predict(window, _features.Patch);
        if (_latest.Length == 0)
        {
            _latest = SessionArray.Of<float>(probabilities.Length);
        }
        else
        {
            if (_previous.Length == 0) _previous = SessionArray.Of<float>(probabilities.Length);
            (_latest, _previous) = (_previous, _latest);
        }
        probabilities.CopyTo(_latest, 0);
        _pending ??= _patterns.Active;
        Judge();
        if (_patchHeld)
        {
            _patchHeld = false;
            if (_fusion.DecideTagged(_heldPatch, _latest) is { } kind) Raise(kind);
        }
        if (_head is not null && _headLatest.Length != 0) _head.Blend(probabilities, _headLatest); // the labels; the fusion used the model's own
        WindowFinished?.Invoke(window, probabilities);
    }

    /// <summary>The tagger's patches scored and skipped by its gate (0, 0 without a tagger).</summary>
    public (long Scored, long Skipped) TaggerPatches => _tagger is null ? (0, 0) : (_tagger.Scored, _tagger.Skipped);

    // before the first window: score (safety first)
    private double EmergencyProbability() => _latest.Length == 0 ? 1 : _fusion.SirenAndHornProbability(_latest);

    private void Judge()
    {
        string? alert;
        if (_latest.Length == 0) alert = _pending; // no window yet: accept the pattern
        else alert = _fusion.Decide(_pending, _latest, _previous); // before a second window: no previous (empty)
        if (alert is not null) Raise(alert);
    }

    private void Raise(string alert)
    {
        _lastSeen = Now;
        if (_active is null)
        {
            _active = alert;
            Detected?.Invoke(alert, Now);
        }
    }
}
