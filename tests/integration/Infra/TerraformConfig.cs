using System.Text.Json;
using System.Text.RegularExpressions;

namespace AncOrleans.Tests.Infra;

/// <summary>
/// Every Terraform configuration directory under infra/terraform (modules, environments, bootstrap), parsed offline by
/// hcl2json into its JSON form: <c>{"variable": {name: [{…}]}, "resource": {type: {name: [{…}]}}, "locals": [{…}], …}</c>.
/// Expressions stay as strings (<c>"${var.x}"</c>); comments are dropped, so raw text is kept for the checks that need
/// them.
/// </summary>
internal sealed partial class TerraformConfig
{
    private TerraformConfig(string directory) => Directory = directory;

    public string Directory { get; }

    public string Name => InfraTools.Relative(Directory);

    /// <summary>Files of this directory: path → (raw text, parsed JSON).</summary>
    public Dictionary<string, (string Text, JsonElement Json)> Files { get; } = [];

    public Dictionary<string, JsonElement> Variables { get; } = [];
    public Dictionary<string, JsonElement> Outputs { get; } = [];
    public Dictionary<string, JsonElement> Locals { get; } = [];
    public Dictionary<string, JsonElement> ModuleCalls { get; } = [];

    /// <summary>"type.name" → body, for resources; "data.type.name" → body, for data sources.</summary>
    public Dictionary<string, JsonElement> Resources { get; } = [];

    /// <summary>Parses every .tf under infra/terraform; a file that fails to parse is reported by <paramref name="errors"/>.</summary>
    public static List<TerraformConfig> LoadAll(out List<string> errors)
    {
        var files = System.IO.Directory.GetFiles(InfraTools.TerraformDir, "*.tf", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.terraform{Path.DirectorySeparatorChar}")).Order().ToList();
        var parsed = InfraTools.RunNode("hcl2json.js", files);
        errors = [];
        var configs = new Dictionary<string, TerraformConfig>();
        foreach (var file in files)
        {
            var result = parsed.GetProperty(file);
            if (!result.GetProperty("ok").GetBoolean())
            {
                errors.Add($"{InfraTools.Relative(file)}: {result.GetProperty("error").GetString()}");
                continue;
            }
            var dir = Path.GetDirectoryName(file)!;
            if (!configs.TryGetValue(dir, out var config)) configs[dir] = config = new TerraformConfig(dir);
            config.Add(file, File.ReadAllText(file), result.GetProperty("json"));
        }
        return [.. configs.Values.OrderBy(c => c.Name)];
    }

    /// <summary>Parses one HCL text (for the parser's own negative test).</summary>
    public static (bool Ok, string? Error) TryParse(string hcl)
    {
        var file = Path.Combine(Path.GetTempPath(), $"anc-hcl-{Guid.NewGuid():N}.tf");
        File.WriteAllText(file, hcl);
        try
        {
            var result = InfraTools.RunNode("hcl2json.js", [file]).GetProperty(file);
            return (result.GetProperty("ok").GetBoolean(), result.TryGetProperty("error", out var e) ? e.GetString() : null);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private void Add(string file, string text, JsonElement json)
    {
        Files[file] = (text, json);
        foreach (var block in json.EnumerateObject())
        {
            switch (block.Name)
            {
                case "variable":
                    foreach (var v in block.Value.EnumerateObject()) Variables[v.Name] = v.Value[0];
                    break;
                case "output":
                    foreach (var o in block.Value.EnumerateObject()) Outputs[o.Name] = o.Value[0];
                    break;
                case "module":
                    foreach (var m in block.Value.EnumerateObject()) ModuleCalls[m.Name] = m.Value[0];
                    break;
                case "locals":
                    foreach (var group in block.Value.EnumerateArray())
                        foreach (var l in group.EnumerateObject()) Locals[l.Name] = l.Value;
                    break;
                case "resource":
                    foreach (var type in block.Value.EnumerateObject())
                        foreach (var r in type.Value.EnumerateObject()) Resources[$"{type.Name}.{r.Name}"] = r.Value[0];
                    break;
                case "data":
                    foreach (var type in block.Value.EnumerateObject())
                        foreach (var r in type.Value.EnumerateObject()) Resources[$"data.{type.Name}.{r.Name}"] = r.Value[0];
                    break;
            }
        }
    }

    /// <summary>Every string in a JSON value (expressions included), depth-first.</summary>
    public static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    foreach (var s in Strings(item)) yield return s;
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name; // keys can hold expressions too (e.g. "${var.x}" = …)
                    foreach (var s in Strings(property.Value)) yield return s;
                }
                break;
        }
    }

    /// <summary>
    /// The keys of a local map, following <c>merge(local.a, local.b)</c> and <c>{ for k, v in local.a : … }</c> to the
    /// literal maps they draw from.
    /// </summary>
    public HashSet<string> LocalMapKeys(string local)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Collect(local, keys, []);
        return keys;

        void Collect(string name, HashSet<string> into, HashSet<string> seen)
        {
            Assert.True(seen.Add(name), $"{Name}: local.{name} refers to itself");
            Assert.True(Locals.TryGetValue(name, out var value), $"{Name}: local.{name} is not defined");
            if (value.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in value.EnumerateObject()) into.Add(p.Name);
                return;
            }
            var expression = value.GetString() ?? "";
            var envFile = EnvFile().Match(expression);
            if (envFile.Success)
            {
                // A map read from an environment file (KEY=VALUE lines, # comments): its keys are the file's.
                var path = Path.Combine(Directory, envFile.Groups[1].Value);
                if (File.Exists(path))
                    foreach (var line in File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('=')))
                        into.Add(line[..line.IndexOf('=')].Trim());
                return;
            }
            var referenced = LocalReference().Matches(expression).Select(m => m.Groups[1].Value).Distinct().ToList();
            Assert.True(referenced.Count > 0, $"{Name}: local.{name} is neither a literal map nor built from other locals: {expression}");
            foreach (var r in referenced) Collect(r, into, seen);
        }
    }

    [GeneratedRegex(@"file\(""\$\{path\.module\}/([^""]+)""\)")]
    private static partial Regex EnvFile();

    [GeneratedRegex(@"\blocal\.([A-Za-z_][A-Za-z0-9_-]*)")]
    public static partial Regex LocalReference();
}
