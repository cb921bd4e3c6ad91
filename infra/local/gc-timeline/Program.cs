using Microsoft.Diagnostics.Tracing;

// The collector's timeline in an EventPipe trace (`dotnet-trace collect --profile gc-collect`): one line per
// collection with the UTC time its suspension began, its generation, reason and type, the pause (suspension start to
// restart end), what it promoted, the generations' sizes after it, and when each mark phase ended (ms from the GC's
// start, and MB it marked: stack, finalizer queue, handles, older generations' cards, …), which shows where a
// gen-0 pause goes (docs/measurements/benchmarks.md, "Eighteenth session").
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: gc-timeline TRACE.nettrace");
    return 2;
}
using var source = new EventPipeEventSource(args[0]);
var clr = source.Clr;
var line = new GcLine();
clr.GCSuspendEEStart += e => line = new GcLine { SuspendedAt = e.TimeStamp.ToUniversalTime(), SuspendMs = e.TimeStampRelativeMSec };
clr.GCStart += e => (line.StartMs, line.Generation, line.Reason, line.Type) = (e.TimeStampRelativeMSec, e.Depth, e.Reason.ToString(), e.Type.ToString());
clr.GCMarkWithType += e => line.Marks.Add($"{(MarkKind)e.Type}:{e.TimeStampRelativeMSec - line.StartMs:F1}ms/{e.Promoted / 1e6:F1}MB");
clr.GCHeapStats += e => line.Heap = $"promoted gen0 {e.TotalPromotedSize0 / 1e6:F1} MB, gen1 {e.TotalPromotedSize1 / 1e6:F1} MB | sizes gen0 {e.GenerationSize0 / 1e6:F1} gen1 {e.GenerationSize1 / 1e6:F1} gen2 {e.GenerationSize2 / 1e6:F1} loh {e.GenerationSize3 / 1e6:F1} poh {e.GenerationSize4 / 1e6:F1} MB";
clr.GCRestartEEStop += e =>
{
    if (line.SuspendMs < 0) return;
    Console.WriteLine($"{line.SuspendedAt:HH:mm:ss.fff} gen{line.Generation} {line.Reason} {line.Type} pause {e.TimeStampRelativeMSec - line.SuspendMs:F2} ms | {line.Heap} | marks {string.Join(' ', line.Marks)}");
    line = new GcLine();
};
source.Process();
return 0;

/// <summary>What one collection's events said, until its restart.</summary>
internal sealed class GcLine
{
    public DateTime SuspendedAt { get; set; }
    public double SuspendMs { get; set; } = -1;
    public double StartMs { get; set; }
    public int Generation { get; set; } = -1;
    public string Reason { get; set; } = "";
    public string Type { get; set; } = "";
    public string Heap { get; set; } = "";
    public List<string> Marks { get; } = [];
}

/// <summary>The runtime's mark phases (GCMarkWithType's Type).</summary>
internal enum MarkKind { Stack, FinalizeQueue, Handles, Cards, SizedRefs, Overflow, DependentHandles, NewFinalizeQueue, Steal, BackgroundMark }
