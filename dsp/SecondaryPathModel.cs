namespace AncOrleans.Dsp;

/// <summary>
/// The secondary-path model Ŝ(z) (speaker → error mic) and what we played through it: the half of modified FxLMS
/// that rebuilds the noise the listener would hear without us (Bjarnason, "Active noise cancellation using a
/// modified form of the filtered-x LMS algorithm", EUSIPCO 1992; Kuo &amp; Morgan, "Active Noise Control Systems",
/// 1996, §3.4). The ear hears e(n) = d(n) + (S*y)(n); knowing y, we estimate
/// <code>
///   r(n)    = (Ŝ*x)(n)                   filtered reference (the long branch's regressor, once delayed by D)
///   d̂(n)    = e(n) − (Ŝ*y)(n)            disturbance estimate
///   h_H(n)  = (Ŝ*y_H)(n),  h_N(n) = (Ŝ*y_N)(n)   what each branch's unscaled output adds at the ear now
/// </code>
/// y(n+D) is produced at time n, so y, y_H and y_N are kept in rings of D + 1 indexed by m mod (D + 1): at time n,
/// slot n mod (D + 1) holds y(n), written D samples ago, and the slot before it takes y(n+D). Every output the ear
/// hears in a segment of ≤ D samples was thus produced by an earlier call, and Ŝ runs across the whole segment at
/// once (<see cref="FirFilter.ProcessBlock"/>, vectorised; the three of what was played in one pass, <see cref="FirFilter.ProcessBlocks"/>). Guard: output the device did not play is zeroed in the
/// rings (<see cref="MarkNotPlayed"/>), so d̂ uses y = 0 there; otherwise the canceller, believing its output was
/// heard, sees d − Ŝ*y (about 2d when converged) and over-corrects. Allocation-free.
/// </summary>
internal sealed class SecondaryPathModel
{
    private readonly FirFilter _reference; // Ŝ * x
    private readonly FirFilter _played;    // Ŝ * y (what was played)
    private readonly FirFilter _tonal;     // Ŝ * y_H before its gain
    private readonly FirFilter _long;      // Ŝ * y_N before its gain
    private readonly float[] _playedRing;  // y ring: y(m) at m mod (D+1)
    private readonly float[] _tonalRing;   // y_H ring (unscaled), same indexing
    private readonly float[] _longRing;    // y_N ring (unscaled)
    private int _slot;                     // n mod (D + 1): where y(n) sits in the rings
    private readonly float[] _segment, _firScratch; // scratch for the per-segment filters (three segments, three FIR buffers)
    private readonly float[] _heardPlayed, _heardTonal, _heardLong; // Ŝ * (played, raw tonal, raw long) over the segment

    /// <param name="secondaryPath">Ŝ's taps.</param>
    /// <param name="delay">The loop delay D.</param>
    /// <param name="segment">The longest segment filtered at once (the long branch's block B).</param>
    public SecondaryPathModel(float[] secondaryPath, int delay, int segment)
    {
        _segment = SessionArray.Of<float>(3 * segment);
        _firScratch = SessionArray.Of<float>(3 * (segment + secondaryPath.Length));
        _heardPlayed = SessionArray.Of<float>(segment);
        _heardTonal = SessionArray.Of<float>(segment);
        _heardLong = SessionArray.Of<float>(segment);
        _reference = new FirFilter(secondaryPath);
        _played = new FirFilter(secondaryPath);
        _tonal = new FirFilter(secondaryPath);
        _long = new FirFilter(secondaryPath);
        _playedRing = SessionArray.Of<float>(delay + 1);
        _tonalRing = SessionArray.Of<float>(delay + 1);
        _longRing = SessionArray.Of<float>(delay + 1);
    }

    /// <summary>Taps of Ŝ.</summary>
    public int Length => _reference.Length;

    /// <summary>r = Ŝ*x over a segment of ≤ B samples; valid until the next call.</summary>
    public ReadOnlySpan<float> FilterReference(ReadOnlySpan<float> reference)
    {
        _reference.ProcessBlock(reference, _segment, _firScratch);
        return _segment.AsSpan(0, reference.Length);
    }

    /// <summary>
    /// Ŝ applied to what was played and to each branch's raw output, at the next <paramref name="count"/> sample
    /// times (all produced ≥ D samples ago): read them from <see cref="HeardPlayed"/>, <see cref="HeardTonal"/> and
    /// <see cref="HeardLong"/>.
    /// </summary>
    public void HearSegment(int count)
    {
        var played = _segment.AsSpan(0, count);
        var tonal = _segment.AsSpan(count, count);
        var @long = _segment.AsSpan(2 * count, count);
        var ring = _playedRing.Length;
        for (int i = 0, slot = _slot; i < count; i++, slot = slot + 1 == ring ? 0 : slot + 1)
        {
            played[i] = _playedRing[slot];
            tonal[i] = _tonalRing[slot];
            @long[i] = _longRing[slot];
        }
        // The three share Ŝ's taps: one pass (FirFilter.ProcessBlocks), the same sums as three.
        FirFilter.ProcessBlocks(_played, _tonal, _long, played, tonal, @long, _heardPlayed, _heardTonal, _heardLong, _firScratch);
    }

    /// <summary>(Ŝ*y)(n) over the segment: d̂ = e − this.</summary>
    public ReadOnlySpan<float> HeardPlayed => _heardPlayed;

    /// <summary>(Ŝ*y_H)(n) over the segment, y_H before its gain.</summary>
    public ReadOnlySpan<float> HeardTonal => _heardTonal;

    /// <summary>(Ŝ*y_N)(n) over the segment, y_N before its gain.</summary>
    public ReadOnlySpan<float> HeardLong => _heardLong;

    /// <summary>Keeps y_H(n+D), y_N(n+D) and y(n+D), produced at time n, and moves on to n + 1.</summary>
    public void Record(float tonal, float @long, float played)
    {
        var ring = _playedRing.Length;
        var ahead = _slot == 0 ? ring - 1 : _slot - 1; // (n + D) mod (D + 1)
        _tonalRing[ahead] = tonal;
        _longRing[ahead] = @long;
        _playedRing[ahead] = played;
        _slot = _slot + 1 == ring ? 0 : _slot + 1;
    }

    /// <summary><see cref="Record"/> for a segment: y_H, y_N and y produced at times n … n+N−1, as block copies into the rings.</summary>
    public void RecordBlock(ReadOnlySpan<float> tonal, ReadOnlySpan<float> @long, ReadOnlySpan<float> played)
    {
        var ring = _playedRing.Length;
        var count = played.Length;
        var ahead = _slot == 0 ? ring - 1 : _slot - 1; // (n + D) mod (D + 1)
        for (var done = 0; done < count;)
        {
            var run = Math.Min(count - done, ring - ahead);
            tonal.Slice(done, run).CopyTo(_tonalRing.AsSpan(ahead));
            @long.Slice(done, run).CopyTo(_longRing.AsSpan(ahead));
            played.Slice(done, run).CopyTo(_playedRing.AsSpan(ahead));
            done += run;
            ahead = 0;
        }
        _slot = (int)((_slot + (long)count) % ring);
    }

    /// <summary>The device did not play the next <paramref name="count"/> samples (at most D): as if we sent zeros.</summary>
    public void MarkNotPlayed(int count)
    {
        var ring = _playedRing.Length;
        count = Math.Min(count, ring - 1);
        for (int i = 0, index = _slot; i < count; i++, index = index + 1 == ring ? 0 : index + 1)
            _playedRing[index] = _tonalRing[index] = _longRing[index] = 0;
    }

    /// <summary>The input histories of Ŝ*x, Ŝ*y, Ŝ*y_H, Ŝ*y_N (|Ŝ| each), then the y, y_H, y_N rings (D + 1 each) from slot n.</summary>
    public int StateLength => 4 * Length + 3 * _playedRing.Length;

    public void SaveState(Span<float> destination)
    {
        ReadOnlySpan<FirFilter> filters = [_reference, _played, _tonal, _long];
        ReadOnlySpan<float[]> rings = [_playedRing, _tonalRing, _longRing];
        foreach (var fir in filters)
        {
            fir.History.CopyTo(destination);
            destination = destination[fir.Length..];
        }
        foreach (var ringBuffer in rings)
        {
            for (var k = 0; k < ringBuffer.Length; k++) destination[k] = ringBuffer[(_slot + k) % ringBuffer.Length];
            destination = destination[ringBuffer.Length..];
        }
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        ReadOnlySpan<FirFilter> filters = [_reference, _played, _tonal, _long];
        ReadOnlySpan<float[]> rings = [_playedRing, _tonalRing, _longRing];
        foreach (var fir in filters)
        {
            fir.LoadHistory(source[..fir.Length]);
            source = source[fir.Length..];
        }
        foreach (var ringBuffer in rings)
        {
            source[..ringBuffer.Length].CopyTo(ringBuffer);
            source = source[ringBuffer.Length..];
        }
        _slot = 0;
    }

    public void Clear()
    {
        _reference.Clear();
        _played.Clear();
        _tonal.Clear();
        _long.Clear();
        Array.Clear(_playedRing);
        Array.Clear(_tonalRing);
        Array.Clear(_longRing);
        _slot = 0;
    }
}
