using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Cli.Sim;

/// <summary>What one device measured: reduction over the last 25 % of what it streamed, round trips, frame counts.</summary>
internal sealed record SimReport(string Device, double ReductionDb, double LatencyP50Ms, double LatencyP95Ms, double LatencyP99Ms,
    int FramesSent, int FramesAnswered, int FramesLate, int FramesLost, string? Noise = null, int Alerts = 0)
{
    public string Mode { get; init; } = "antinoise";

    /// <summary>
    /// Antinoise: the reduction over the steady-state frames during which every anti-noise sample due was played —
    /// the canceller's own figure, apart from the frames the device could not play (replies late or lost, which the
    /// ear hears as the noise alone and <see cref="ReductionDb"/> counts).
    /// </summary>
    public double? ReductionWhenPlayedDb { get; init; }

    /// <summary>Antinoise: frames during which some anti-noise due was not played.</summary>
    public int? FramesUnplayed { get; init; }

    /// <summary>Edge mode: coefficient sets received, applied and refused; their age at application; upload bytes per second.</summary>
    public int? SetsReceived { get; init; }
    public int? SetsApplied { get; init; }
    public int? SetsRefused { get; init; }
    public double? MeanSetAgeMs { get; init; }
    public double? MaxSetAgeMs { get; init; }
    public double? UploadBytesPerSecond { get; init; }

    public static SimReport From(SimEdgeDevice device)
    {
        var streamed = device.Position;
        var from = (int)(streamed * ReductionMeter.SteadyFraction);
        var reduction = ReductionMeter.Db(device.Scene.Disturbance.AsSpan(from, streamed - from), device.Ear.AsSpan(from, streamed - from));
        var d = device.Device;
        var ages = d.AgesMs;
        return new SimReport(device.DeviceId, reduction, double.NaN, double.NaN, double.NaN, d.FramesSent, 0, 0, 0)
        {
            Mode = "edge",
            SetsReceived = d.SetsReceived,
            SetsApplied = d.SetsApplied,
            SetsRefused = d.SetsRefused,
            MeanSetAgeMs = ages.Count == 0 ? 0 : Math.Round(ages.Average(), 1),
            MaxSetAgeMs = ages.Count == 0 ? 0 : Math.Round(ages.Max(), 1),
            UploadBytesPerSecond = Math.Round(d.BytesUploaded / Math.Max(1e-9, device.Seconds)),
        };
    }

    public static SimReport From(SimDevice device)
    {
        var streamed = device.Position;
        var from = (int)(streamed * ReductionMeter.SteadyFraction);
        var reduction = ReductionMeter.Db(device.Scene.Disturbance.AsSpan(from, streamed - from), device.Ear.AsSpan(from, streamed - from));
        var trips = device.RoundTripsMs.Order().ToArray();
        var heard = device.HeardAllAntiNoise;
        double noise = 0, residual = 0;
        for (var k = (from + device.FrameSamples - 1) / device.FrameSamples; k < heard.Count && (k + 1) * device.FrameSamples <= streamed; k++)
        {
            if (!heard[k]) continue;
            noise += ReductionMeter.Energy(device.Scene.Disturbance.AsSpan(k * device.FrameSamples, device.FrameSamples));
            residual += ReductionMeter.Energy(device.Ear.AsSpan(k * device.FrameSamples, device.FrameSamples));
        }
        return new SimReport(device.DeviceId, reduction, Percentile(trips, 0.50), Percentile(trips, 0.95), Percentile(trips, 0.99),
            device.Sent, device.Answered, device.Late, device.Sent - device.Answered - device.Late, device.Noise, device.Alerts)
        {
            ReductionWhenPlayedDb = noise > 0 ? 10 * Math.Log10(noise / Math.Max(residual, 1e-30)) : double.NaN,
            FramesUnplayed = heard.Count(h => !h),
        };
    }


    /// <summary>Nearest-rank percentile of an ascending array (NaN when empty).</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
