using AncOrleans.Dsp;

namespace AncOrleans.Cli.Eval;

/// <summary>One row of an evaluation plan. <see cref="Peer"/> is null for our own cancellers; <see cref="UpdateMs"/> is edge mode's N.</summary>
internal sealed record EvalCase(string Scenario, CancellerMode Mode, AdaptiveAlgorithm Algorithm, double DelayMs, int SampleRate, int FilterLength, string? Peer, double UpdateMs = 100);
