using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace AncOrleans.Hosting;

/// <summary>
/// Checks section <c>Clustering:Membership</c> (Orleans' <see cref="ClusterMembershipOptions"/>, failure detection) at
/// start-up; Orleans does not check these. The bounds keep a dead silo detectable: positive timeouts, at least one
/// probe and one vote, no more votes needed than silos probed, a probe timeout of at most a minute (Orleans: 5 s).
/// docs/reliability.md has the values we measured.
/// </summary>
public sealed class MembershipOptionsValidator : IValidateOptions<ClusterMembershipOptions>
{
    public const string Section = ClusteringOptions.Section + ":Membership";
    private const string Prefix = Section + ":";

    public ValidateOptionsResult Validate(string? name, ClusterMembershipOptions options)
    {
        var errors = new List<string>();
        if (options.ProbeTimeout < TimeSpan.FromMilliseconds(100) || options.ProbeTimeout > TimeSpan.FromMinutes(1))
            errors.Add($"{Prefix}ProbeTimeout must be between 00:00:00.1 and 00:01:00, not {options.ProbeTimeout}.");
        if (options.MinProbeTimeout <= TimeSpan.Zero || options.MinProbeTimeout > options.MaxProbeTimeout)
            errors.Add($"{Prefix}MinProbeTimeout must be positive and at most {Prefix}MaxProbeTimeout ({options.MaxProbeTimeout}), not {options.MinProbeTimeout}.");
        if (options.NumMissedProbesLimit is < 1 or > 10)
            errors.Add($"{Prefix}NumMissedProbesLimit must be between 1 and 10, not {options.NumMissedProbesLimit}.");
        if (options.NumProbedSilos is < 1 or > 100)
            errors.Add($"{Prefix}NumProbedSilos must be between 1 and 100, not {options.NumProbedSilos}.");
        if (options.NumVotesForDeathDeclaration < 1 || options.NumVotesForDeathDeclaration > options.NumProbedSilos)
            errors.Add($"{Prefix}NumVotesForDeathDeclaration must be between 1 and {Prefix}NumProbedSilos ({options.NumProbedSilos}), not {options.NumVotesForDeathDeclaration}.");
        if (options.NumMissedTableIAmAliveLimit < 1)
            errors.Add($"{Prefix}NumMissedTableIAmAliveLimit must be at least 1, not {options.NumMissedTableIAmAliveLimit}.");
        Positive(nameof(options.TableRefreshTimeout), options.TableRefreshTimeout);
        Positive(nameof(options.IAmAliveTablePublishTimeout), options.IAmAliveTablePublishTimeout);
        Positive(nameof(options.DeathVoteExpirationTimeout), options.DeathVoteExpirationTimeout);
        Positive(nameof(options.MaxJoinAttemptTime), options.MaxJoinAttemptTime);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
                errors.Add($"{Prefix}{key} must be positive, not {value}.");
        }
    }
}
