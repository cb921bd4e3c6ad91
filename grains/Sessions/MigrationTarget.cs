using Orleans.Runtime.Placement;
using Orleans.Runtime;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Where a session goes when it has to leave its silo: a random active silo other than this one. Chosen here, not
/// left to the placement director, because a director may pick the silo the session is on (then Orleans does not
/// migrate and the session is deactivated instead), and during a leave the membership snapshot already lists the
/// leaving silo as <see cref="SiloStatus.ShuttingDown"/>, so it is never chosen.
/// </summary>
internal static class MigrationTarget
{
    /// <summary>A random active silo other than <paramref name="self"/>, or null when there is none.</summary>
    public static SiloAddress? Other(ClusterMembershipSnapshot membership, SiloAddress? self, Random random)
    {
        var others = membership.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self))
            .Select(m => m.SiloAddress)
            .ToArray();
        return others.Length == 0 ? null : others[random.Next(others.Length)];
    }

    /// <summary>A placement hint for <see cref="IGrainContext.Migrate"/> naming <see cref="Other"/>, or null when no other silo is active.</summary>
    public static Dictionary<string, object>? Hint(ClusterMembershipSnapshot membership, SiloAddress? self, Random random) =>
        Other(membership, self, random) is { } target ? new() { [IPlacementDirector.PlacementHintKey] = target } : null;
}
