// Which older objects point at younger ones in a running .NET process: what the workstation collector's card marking
// has to scan in every gen-0 collection. Attaches to the process (suspended for the walk), walks the whole heap, and
// for every object outside gen 0 lists the references into a younger generation (gen 2, the large and pinned heaps
// into gen 1 or gen 0; gen 1 into gen 0), grouped by the older object's type and field. A card is 256 bytes of an
// older generation's address range; a card stays set while it holds such a reference, so the distinct cards per group
// are roughly what each group costs a gen-0 collection.
//   dotnet old-to-young.dll PID [TOP]
using Microsoft.Diagnostics.Runtime;

if (args.Length < 1 || !int.TryParse(args[0], out var pid))
{
    Console.Error.WriteLine("usage: old-to-young PID [TOP]");
    return 2;
}
var top = args.Length > 1 ? int.Parse(args[1]) : 30;
const int cardBytes = 256;

using var target = DataTarget.AttachToProcess(pid, suspend: true);
var clr = target.ClrVersions[0];
// The runtime's own DAC, beside its libcoreclr.so (ClrMD does not find it there by itself on Linux).
var dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName)!, "libmscordaccore.so");
using var runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();
var heap = runtime.Heap;
var started = DateTime.UtcNow;

var objects = new long[4];
var bytes = new long[4];
var groups = new Dictionary<(string Source, string Field), Group>();
var cards = new HashSet<ulong>();
long toGen0 = 0, toGen1 = 0;

foreach (var segment in heap.Segments)
{
    foreach (var obj in segment.EnumerateObjects())
    {
        if (!obj.IsValid || obj.IsFree) continue;
        var gen = Rank(segment.GetGeneration(obj.Address));
        objects[gen]++;
        bytes[gen] += (long)obj.Size;
        if (gen == 0 || !obj.ContainsPointers) continue;
        foreach (var reference in obj.EnumerateReferencesWithFields(carefully: false, considerDependantHandles: false))
        {
            var child = reference.Object;
            if (child.Address == 0) continue;
            var childSegment = heap.GetSegmentByAddress(child.Address);
            if (childSegment is null) continue;
            var childGen = Rank(childSegment.GetGeneration(child.Address));
            if (childGen >= gen) continue;
            var key = (obj.Type?.Name ?? "?", reference.Field?.Name ?? (obj.IsArray ? "[]" : "?"));
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new Group();
            var card = (obj.Address + (ulong)Math.Max(0, reference.Offset)) / cardBytes;
            group.Cards.Add(card);
            cards.Add(card);
            if (childGen == 0) { group.ToGen0++; toGen0++; } else { group.ToGen1++; toGen1++; }
            group.Targets[child.Type?.Name ?? "?"] = group.Targets.GetValueOrDefault(child.Type?.Name ?? "?") + 1;
        }
    }
}

Console.WriteLine($"walked in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
string[] names = ["gen 0", "gen 1", "gen 2", "large/pinned/frozen"];
for (var g = 0; g < 4; g++) Console.WriteLine($"{names[g],-20} {objects[g],10:N0} objects {bytes[g] / 1048576.0,9:0.0} MB");
Console.WriteLine($"older -> younger references: {toGen0:N0} into gen 0, {toGen1:N0} into gen 1, on {cards.Count:N0} cards ({cards.Count * (long)cardBytes / 1048576.0:0.0} MB to scan)");
Console.WriteLine();
Console.WriteLine($"{"cards",7} {"->gen0",8} {"->gen1",8}  older type . field  (most common target)");
foreach (var ((source, field), group) in groups.OrderByDescending(g => g.Value.Cards.Count).Take(top))
{
    var common = group.Targets.MaxBy(t => t.Value);
    Console.WriteLine($"{group.Cards.Count,7:N0} {group.ToGen0,8:N0} {group.ToGen1,8:N0}  {source} . {field}  ({common.Key} ×{common.Value:N0})");
}
return 0;

// 0: gen 0, 1: gen 1, 2: gen 2, 3: the large, pinned and frozen heaps (collected with gen 2).
static int Rank(Generation generation) => generation switch
{
    Generation.Generation0 => 0,
    Generation.Generation1 => 1,
    Generation.Generation2 => 2,
    _ => 3,
};

internal sealed class Group
{
    public HashSet<ulong> Cards { get; } = [];
    public long ToGen0 { get; set; }
    public long ToGen1 { get; set; }
    public Dictionary<string, long> Targets { get; } = [];
}
