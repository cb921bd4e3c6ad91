using System.Text.Json;
using AncOrleans.Hosting;
using Orleans.Hosting.Kubernetes;
using Xunit.Abstractions;

namespace AncOrleans.Tests.Infra;

/// <summary>
/// infra/k8s validated offline against Kubernetes' own schemas (kubernetes-models, plus a strict pass that refuses
/// unknown fields), and checked for what Orleans' Kubernetes hosting and the app need.
/// </summary>
public sealed class KubernetesTests(ITestOutputHelper output)
{
    private static readonly string[] Packages = ["kubernetes-models", "yaml"];

    private static List<JsonElement> Documents()
    {
        InfraTools.Require(Packages);
        var files = Directory.GetFiles(InfraTools.KubernetesDir, "*.yaml").Order().ToList();
        Assert.NotEmpty(files);
        var result = InfraTools.RunNode("validate-k8s.js", files);
        var problems = new List<string>();
        var documents = new List<JsonElement>();
        foreach (var file in files)
        {
            var entry = result.GetProperty(file);
            if (entry.ValueKind == JsonValueKind.Object)
            {
                problems.Add($"{InfraTools.Relative(file)}: {entry.GetProperty("parseError").GetString()}");
                continue;
            }
            foreach (var doc in entry.EnumerateArray())
            {
                if (!doc.GetProperty("ok").GetBoolean())
                    problems.Add($"{InfraTools.Relative(file)}: {Text(doc, "kind")} {Text(doc, "name")}: {doc.GetProperty("error").GetString()}");
                if (doc.TryGetProperty("doc", out var d)) documents.Add(d);
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return documents;
    }

    [SkippableFact]
    public void Manifests_are_valid_against_the_Kubernetes_schemas()
    {
        var documents = Documents();
        output.WriteLine(string.Join("\n", documents.Select(d => $"{Text(d, "apiVersion")} {Text(d, "kind")} {d.GetProperty("metadata").GetProperty("name").GetString()}")));
        Assert.Contains(documents, d => Text(d, "kind") == "Deployment" && Name(d) == "anc-gateway");
        Assert.Contains(documents, d => Text(d, "kind") == "Deployment" && Name(d) == "anc-silo");
        Assert.Contains(documents, d => Text(d, "kind") == "Service");
        Assert.Contains(documents, d => Text(d, "kind") == "ConfigMap");
    }

    [SkippableFact]
    public void The_validator_refuses_a_bad_manifest()
    {
        InfraTools.Require(Packages);
        var file = Path.Combine(Path.GetTempPath(), $"anc-k8s-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: x }
            spec:
              replicas: "two"
              selector: { matchLabels: { a: b } }
              template:
                metadata: { labels: { a: b } }
                spec:
                  containers: [{ name: c, image: i }]
            ---
            apiVersion: v1
            kind: Service
            metadata: { name: s }
            spec:
              ports: [{ port: 80 }]
              selectr: { a: b }
            """);
        try
        {
            var docs = InfraTools.RunNode("validate-k8s.js", [file]).GetProperty(file).EnumerateArray().ToList();
            Assert.False(docs[0].GetProperty("ok").GetBoolean());
            Assert.Contains("replicas", docs[0].GetProperty("error").GetString());
            Assert.False(docs[1].GetProperty("ok").GetBoolean());
            Assert.Contains("unknown field(s): /spec/selectr", docs[1].GetProperty("error").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public void Every_environment_variable_is_a_key_the_app_binds()
    {
        var documents = Documents();
        var configMaps = documents.Where(d => Text(d, "kind") == "ConfigMap").ToDictionary(d => Name(d)!, d => d.GetProperty("data"));
        var problems = new List<string>();
        foreach (var (deployment, app) in new[] { ("anc-gateway", App.Gateway), ("anc-silo", App.Silo) })
        {
            var keys = ConfigurationKeys.For(app);
            foreach (var container in PodSpec(documents, deployment).GetProperty("containers").EnumerateArray())
            {
                var names = new List<(string Name, string From)>();
                if (container.TryGetProperty("env", out var env))
                    names.AddRange(env.EnumerateArray().Select(e => (e.GetProperty("name").GetString()!, "env")));
                if (container.TryGetProperty("envFrom", out var envFrom))
                {
                    foreach (var source in envFrom.EnumerateArray())
                    {
                        Assert.False(source.TryGetProperty("prefix", out _), "envFrom with a prefix is not checked");
                        var map = source.GetProperty("configMapRef").GetProperty("name").GetString()!;
                        Assert.True(configMaps.TryGetValue(map, out var data), $"{deployment}: ConfigMap {map} is not in infra/k8s");
                        names.AddRange(data.EnumerateObject().Select(p => (p.Name, $"ConfigMap {map}")));
                    }
                }
                Assert.NotEmpty(names);
                foreach (var (name, from) in names)
                {
                    var why = keys.Explain(name);
                    if (why is null) problems.Add($"{deployment}: {name} ({from}) is not a configuration key the {app} binds");
                    else output.WriteLine($"{deployment}: {name} ({from}) ← {why}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void Pods_carry_what_Orleans_Kubernetes_hosting_needs()
    {
        var documents = Documents();
        var config = documents.Single(d => Text(d, "kind") == "ConfigMap").GetProperty("data");
        Assert.Equal("true", config.GetProperty($"{KubernetesOptions.Section}__{nameof(KubernetesOptions.Enabled)}").GetString());
        Assert.Equal("dynamodb", config.GetProperty("Clustering__Provider").GetString()); // membership stays on DynamoDB
        var role = documents.Single(d => Text(d, "kind") == "Role");
        var binding = documents.Single(d => Text(d, "kind") == "RoleBinding");
        Assert.Equal(Name(role), binding.GetProperty("roleRef").GetProperty("name").GetString());
        var rule = role.GetProperty("rules").EnumerateArray().Single();
        Assert.Equal(["pods"], rule.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        // KubernetesClusterAgent: read its pod, patch its labels, list + watch the cluster's pods, delete dead silos' pods.
        Assert.Equal(["delete", "get", "list", "patch", "watch"], rule.GetProperty("verbs").EnumerateArray().Select(v => v.GetString()!).Order());

        foreach (var deployment in new[] { "anc-gateway", "anc-silo" })
        {
            var d = documents.Single(x => Text(x, "kind") == "Deployment" && Name(x) == deployment);
            var labels = d.GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels");
            Assert.Equal(config.GetProperty("Orleans__ServiceId").GetString(), labels.GetProperty(KubernetesHostingOptions.ServiceIdLabel).GetString());
            Assert.Equal(config.GetProperty("Orleans__ClusterId").GetString(), labels.GetProperty(KubernetesHostingOptions.ClusterIdLabel).GetString());
            var pod = PodSpec(documents, deployment);
            Assert.Equal(binding.GetProperty("subjects")[0].GetProperty("name").GetString(), pod.GetProperty("serviceAccountName").GetString());
            Assert.True(pod.GetProperty("terminationGracePeriodSeconds").GetInt32() >= 30, $"{deployment}: too little time to leave membership");
            var container = pod.GetProperty("containers")[0];
            Assert.True(container.GetProperty("lifecycle").GetProperty("preStop").ValueKind == JsonValueKind.Object, $"{deployment}: no preStop");
            var env = container.GetProperty("env").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
            foreach (var (variable, field) in new[]
                     {
                         (KubernetesHostingOptions.PodNameEnvironmentVariable, "metadata.name"),
                         (KubernetesHostingOptions.PodNamespaceEnvironmentVariable, "metadata.namespace"),
                         (KubernetesHostingOptions.PodIPEnvironmentVariable, "status.podIP"),
                         ("Orleans__AdvertisedIPAddress", "status.podIP"),
                         (KubernetesHostingOptions.ServiceIdEnvironmentVariable, $"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']"),
                         (KubernetesHostingOptions.ClusterIdEnvironmentVariable, $"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']"),
                     })
                Assert.Equal(field, env[variable].GetProperty("valueFrom").GetProperty("fieldRef").GetProperty("fieldPath").GetString());
            // Liveness never depends on the cluster: /healthz or the process's own port, never /readyz.
            var liveness = container.GetProperty("livenessProbe");
            if (liveness.TryGetProperty("httpGet", out var http)) Assert.Equal("/healthz", http.GetProperty("path").GetString());
            else Assert.True(liveness.TryGetProperty("tcpSocket", out _));
        }
        // Secrets come from a Secret, never from the manifests.
        Assert.DoesNotContain(documents, d => Text(d, "kind") == "Secret");
        var adminKey = PodSpec(documents, "anc-gateway").GetProperty("containers")[0].GetProperty("env").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "Auth__AdminKey");
        Assert.Equal("anc-secrets", adminKey.GetProperty("valueFrom").GetProperty("secretKeyRef").GetProperty("name").GetString());
    }

    [SkippableFact]
    public void Orleans_ports_accept_only_the_clusters_own_pods()
    {
        var documents = Documents();
        var policy = documents.Single(d => Text(d, "kind") == "NetworkPolicy").GetProperty("spec");
        foreach (var rule in policy.GetProperty("ingress").EnumerateArray())
        {
            var ports = rule.GetProperty("ports").EnumerateArray().Select(p => p.GetProperty("port").GetInt32()).ToList();
            if (!ports.Contains(OrleansOptions.DefaultSiloPort) && !ports.Contains(OrleansOptions.DefaultGatewayPort)) continue;
            var from = rule.GetProperty("from").EnumerateArray().ToList();
            Assert.NotEmpty(from);
            Assert.All(from, f => Assert.Equal("anc-orleans", f.GetProperty("podSelector").GetProperty("matchLabels").GetProperty(KubernetesHostingOptions.ServiceIdLabel).GetString()));
        }
    }

    private static JsonElement PodSpec(List<JsonElement> documents, string deployment) =>
        documents.Single(d => Text(d, "kind") == "Deployment" && Name(d) == deployment).GetProperty("spec").GetProperty("template").GetProperty("spec");

    private static string? Name(JsonElement d) => d.GetProperty("metadata").GetProperty("name").GetString();

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
