using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace AncOrleans.Tests;

/// <summary>An in-process Orleans cluster with the production grain configuration (memory providers).</summary>
public sealed class ClusterFixture : IDisposable
{
    public ClusterFixture()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        Cluster.Deploy();
    }

    public TestCluster Cluster { get; }

    public void Dispose() => Cluster.StopAllSilos();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Session:CheckpointSeconds"] = "1" })
                .Build();
            siloBuilder.AddAncGrains(configuration);
            siloBuilder.AddIncomingGrainCallFilter<FeatureCallRecorder>();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
