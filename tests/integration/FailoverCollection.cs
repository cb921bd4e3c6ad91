namespace AncOrleans.Tests;

/// <summary>The failover test streams in real time: its collection runs alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}
