namespace AncOrleans.Hosting;

/// <summary>
/// Section <c>Kubernetes</c>: <c>Enabled=true</c> turns on Orleans' Kubernetes hosting (Microsoft.Orleans.Hosting.Kubernetes)
/// in a silo running in a pod: the silo is named after the pod, reads <c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>,
/// <c>ORLEANS_SERVICE_ID</c> and <c>ORLEANS_CLUSTER_ID</c>, labels its pod, declares silos dead whose pod is gone and deletes
/// the pods of dead silos (the RBAC it needs: infra/k8s/rbac.yaml). Membership stays on DynamoDB. Off by default, and on
/// ECS.
/// </summary>
public sealed class KubernetesOptions
{
    public const string Section = "Kubernetes";

    public bool Enabled { get; set; }

    /// <summary>
    /// Delete the pod of a silo that membership declared dead (Orleans' <c>KubernetesHostingOptions.DeleteDefunctSiloPods</c>,
    /// off in Orleans); needs the <c>delete</c> verb on pods.
    /// </summary>
    public bool DeleteDefunctSiloPods { get; set; } = true;
}
