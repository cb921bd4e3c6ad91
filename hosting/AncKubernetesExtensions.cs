using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting.Kubernetes;

namespace AncOrleans.Hosting;

/// <summary>Orleans' Kubernetes hosting behind the <c>Kubernetes:Enabled</c> switch (<see cref="KubernetesOptions"/>).</summary>
public static class AncKubernetesExtensions
{
    /// <summary>
    /// With <c>Kubernetes:Enabled=true</c>, <see cref="KubernetesHostingExtensions.UseKubernetesHosting(ISiloBuilder)"/>.
    /// Our own settings keep precedence where both set a value: <c>Orleans:ClusterId</c>/<c>ServiceId</c> are applied after
    /// the pod's (set them equal to the pod labels), and <c>Orleans:AdvertisedIPAddress</c> (the pod IP from the downward
    /// API) before Orleans' fallback to <c>POD_IP</c>.
    /// </summary>
    public static ISiloBuilder UseAncKubernetesHosting(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = configuration.GetSection(KubernetesOptions.Section).Get<KubernetesOptions>() ?? new KubernetesOptions();
        if (!options.Enabled)
            return silo;
        silo.UseKubernetesHosting();
        silo.Services.Configure<KubernetesHostingOptions>(hosting => hosting.DeleteDefunctSiloPods = options.DeleteDefunctSiloPods);
        return silo;
    }
}
