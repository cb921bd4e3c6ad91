using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;

namespace AncOrleans.Tests;

/// <summary>Orleans' Kubernetes hosting is on only with Kubernetes:Enabled=true (hosting/AncKubernetesExtensions.cs).</summary>
public sealed class KubernetesHostingSwitchTests
{
    [Fact]
    public void Off_by_default_no_Kubernetes_agent_is_registered()
    {
        var services = SiloServices(new Dictionary<string, string?>());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(KubernetesClusterAgent) || d.ImplementationType == typeof(KubernetesClusterAgent));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Enabled_registers_the_agent_with_the_pod_deletion_setting(string deletePods, bool expected)
    {
        var services = SiloServices(new Dictionary<string, string?>
        {
            ["Kubernetes:Enabled"] = "true",
            ["Kubernetes:DeleteDefunctSiloPods"] = deletePods,
        });
        Assert.Contains(services, d => d.ServiceType == typeof(KubernetesClusterAgent) || d.ImplementationType == typeof(KubernetesClusterAgent));
        using var provider = services.BuildServiceProvider();
        var options = new KubernetesHostingOptions();
        foreach (var configure in provider.GetServices<IConfigureOptions<KubernetesHostingOptions>>()) configure.Configure(options);
        Assert.Equal(expected, options.DeleteDefunctSiloPods);
        // Outside a pod (no POD_NAMESPACE, no service-account namespace file) Orleans' validator stops the silo, naming it.
        if (Environment.GetEnvironmentVariable(KubernetesHostingOptions.PodNamespaceEnvironmentVariable) is null && !File.Exists("/var/run/secrets/kubernetes.io/serviceaccount/namespace"))
        {
            var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<KubernetesHostingOptions>>().Value);
            Assert.Contains("POD_NAMESPACE", error.Message);
        }
    }

    private static IServiceCollection SiloServices(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseAncClustering(builder.Configuration));
        return builder.Services;
    }
}
