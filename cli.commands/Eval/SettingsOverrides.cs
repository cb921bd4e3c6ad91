using System.Globalization;
using AncOrleans.Dsp;

namespace AncOrleans.Cli.Eval;

/// <summary>Applies <c>--set Name=Value</c> overrides to the numeric properties of <see cref="AncSettings"/> (or, in edge mode, <see cref="EdgeSettings"/>).</summary>
internal static class SettingsOverrides
{
    /// <summary>Edge mode: the same overrides on <see cref="EdgeSettings"/> (Step, MinRelativeChange, CrossfadeSamples, DutyCycle, …).</summary>
    public static EdgeSettings ApplyEdge(EdgeSettings settings, IEnumerable<string> assignments)
    {
        foreach (var assignment in assignments)
        {
            var parts = assignment.Split('=', 2);
            var property = parts.Length == 2 ? typeof(EdgeSettings).GetProperty(parts[0]) : null;
            var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (property is null || !property.CanWrite || !(type == typeof(int) || type == typeof(float) || type == typeof(double)))
                throw new ArgumentException($"--set {assignment}: expected Name=Value with a numeric edge setting such as Step, MinRelativeChange, CrossfadeSamples, DutyCycle.");
            var copy = settings with { };
            property.SetValue(copy, Convert.ChangeType(double.Parse(parts[1], CultureInfo.InvariantCulture), type!, CultureInfo.InvariantCulture));
            settings = copy;
        }
        return settings;
    }

    public static AncSettings Apply(AncSettings settings, IEnumerable<string> assignments)
    {
        foreach (var assignment in assignments)
        {
            var parts = assignment.Split('=', 2);
            var property = parts.Length == 2 ? typeof(AncSettings).GetProperty(parts[0]) : null;
            var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (property is null || !property.CanWrite || !(type == typeof(int) || type == typeof(float) || type == typeof(double)))
                throw new ArgumentException($"--set {assignment}: expected Name=Value with a numeric setting such as NlmsStep, RlsForgetting, RlsTaps.");
            var copy = settings with { };
            property.SetValue(copy, Convert.ChangeType(double.Parse(parts[1], CultureInfo.InvariantCulture), type!, CultureInfo.InvariantCulture));
            settings = copy;
        }
        return settings;
    }
}
