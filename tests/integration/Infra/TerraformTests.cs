using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Hosting;
using Xunit.Abstractions;

namespace AncOrleans.Tests.Infra;

/// <summary>
/// infra/terraform validated offline: no terraform binary, no provider, no AWS. Every .tf is parsed by HashiCorp's HCL
/// parser (hcl2json), then checked for what <c>terraform validate</c> would catch without provider schemas (references,
/// module interfaces) and for the deployment's rules (least privilege, private Orleans ports, app configuration keys).
/// </summary>
public sealed partial class TerraformTests(ITestOutputHelper output)
{
    private static readonly string[] Packages = ["@cdktf/hcl2json"];
    private static readonly string[] ModuleFiles = ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"];
    private static readonly HashSet<string> ModuleMetaArguments = ["source", "version", "providers", "count", "for_each", "depends_on"];

    private static readonly Lazy<(List<TerraformConfig> Configs, List<string> Errors)> Parsed = new(() =>
    {
        var configs = TerraformConfig.LoadAll(out var errors);
        return (configs, errors);
    });

    /// <summary>Every configuration, parsed once per test run (one node process for all files).</summary>
    private static List<TerraformConfig> Load()
    {
        InfraTools.Require(Packages);
        var (configs, errors) = Parsed.Value;
        Assert.True(errors.Count == 0, "HCL that does not parse:\n" + string.Join("\n", errors));
        return configs;
    }

    private static TerraformConfig Config(List<TerraformConfig> configs, string relative) =>
        configs.Single(c => c.Name == "infra/terraform/" + relative);

    [SkippableFact]
    public void Every_tf_file_parses()
    {
        var configs = Load();
        var files = configs.Sum(c => c.Files.Count);
        output.WriteLine($"{files} files in {configs.Count} directories parsed: {string.Join(", ", configs.Select(c => c.Name))}");
        Assert.True(files >= 40, $"only {files} .tf files found");
    }

    [SkippableFact]
    public void The_parser_rejects_bad_HCL()
    {
        InfraTools.Require(Packages);
        var (ok, error) = TerraformConfig.TryParse("resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n");
        Assert.False(ok);
        Assert.Contains("Invalid expression", error);
        var (unclosed, _) = TerraformConfig.TryParse("variable \"x\" {\n  type = string\n");
        Assert.False(unclosed);
        var (good, goodError) = TerraformConfig.TryParse("variable \"x\" {\n  type = string\n}\n");
        Assert.True(good, goodError);
    }

    [SkippableFact]
    public void Every_module_has_the_standard_files()
    {
        var configs = Load();
        var modules = configs.Where(c => c.Name.StartsWith("infra/terraform/modules/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["alerts", "cdn", "cluster", "data", "iot", "ml", "network", "observability", "storage"], modules.Select(m => Path.GetFileName(m.Directory)).Order());
        foreach (var module in modules)
        {
            foreach (var file in ModuleFiles)
                Assert.True(File.Exists(Path.Combine(module.Directory, file)), $"{module.Name} has no {file}");
            var versions = module.Files[Path.Combine(module.Directory, "versions.tf")].Json.GetProperty("terraform")[0];
            Assert.True(versions.TryGetProperty("required_version", out _), $"{module.Name}/versions.tf: no required_version");
            Assert.True(versions.GetProperty("required_providers")[0].TryGetProperty("aws", out _), $"{module.Name}/versions.tf: no aws provider");
        }
    }

    [SkippableFact]
    public void Every_variable_is_typed_and_described_and_every_output_described()
    {
        var problems = new List<string>();
        var variables = 0;
        foreach (var config in Load())
        {
            foreach (var (name, body) in config.Variables)
            {
                variables++;
                if (!body.TryGetProperty("type", out _)) problems.Add($"{config.Name}: variable \"{name}\" has no type");
                if (!body.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                    problems.Add($"{config.Name}: variable \"{name}\" has no description");
            }
            foreach (var (name, body) in config.Outputs)
                if (!body.TryGetProperty("description", out var d) || string.IsNullOrWhiteSpace(d.GetString()))
                    problems.Add($"{config.Name}: output \"{name}\" has no description");
        }
        output.WriteLine($"{variables} variables checked");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void Every_reference_resolves()
    {
        var configs = Load();
        var byDirectory = configs.ToDictionary(c => c.Directory);
        var problems = new List<string>();
        var checkedRefs = 0;
        foreach (var config in configs)
        {
            foreach (var (file, (_, json)) in config.Files)
            {
                foreach (var text in TerraformConfig.Strings(json).Where(s => s.Contains("${", StringComparison.Ordinal)))
                {
                    var expression = EscapedInterpolation().Replace(text, ""); // $${…} is a literal, not a reference
                    foreach (Match m in VariableReference().Matches(expression))
                    {
                        checkedRefs++;
                        if (!config.Variables.ContainsKey(m.Groups[1].Value)) problems.Add($"{InfraTools.Relative(file)}: var.{m.Groups[1].Value} is not declared");
                    }
                    foreach (Match m in TerraformConfig.LocalReference().Matches(expression))
                    {
                        checkedRefs++;
                        if (!config.Locals.ContainsKey(m.Groups[1].Value)) problems.Add($"{InfraTools.Relative(file)}: local.{m.Groups[1].Value} is not defined");
                    }
                    foreach (Match m in ModuleReference().Matches(expression))
                    {
                        checkedRefs++;
                        var module = m.Groups[1].Value;
                        if (!config.ModuleCalls.TryGetValue(module, out var call))
                        {
                            problems.Add($"{InfraTools.Relative(file)}: module.{module} is not declared");
                            continue;
                        }
                        var target = Path.GetFullPath(Path.Combine(config.Directory, call.GetProperty("source").GetString()!));
                        if (m.Groups[2].Success && byDirectory.TryGetValue(target, out var targetConfig) && !targetConfig.Outputs.ContainsKey(m.Groups[2].Value))
                            problems.Add($"{InfraTools.Relative(file)}: module.{module}.{m.Groups[2].Value}: {targetConfig.Name} has no such output");
                    }
                    foreach (Match m in DataReference().Matches(expression))
                    {
                        checkedRefs++;
                        if (!config.Resources.ContainsKey($"data.{m.Groups[1].Value}.{m.Groups[2].Value}"))
                            problems.Add($"{InfraTools.Relative(file)}: data.{m.Groups[1].Value}.{m.Groups[2].Value} is not declared");
                    }
                    foreach (Match m in ResourceReference().Matches(expression))
                    {
                        checkedRefs++;
                        if (!config.Resources.ContainsKey($"{m.Groups[1].Value}.{m.Groups[2].Value}"))
                            problems.Add($"{InfraTools.Relative(file)}: {m.Groups[1].Value}.{m.Groups[2].Value} is not declared");
                    }
                    foreach (Match m in TemplateFile().Matches(expression))
                    {
                        checkedRefs++;
                        if (!File.Exists(Path.Combine(config.Directory, m.Groups[1].Value)))
                            problems.Add($"{InfraTools.Relative(file)}: templatefile {m.Groups[1].Value} does not exist");
                    }
                }
            }
        }
        output.WriteLine($"{checkedRefs} references checked");
        Assert.True(checkedRefs > 300, $"only {checkedRefs} references found: the scan is broken");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void Every_module_call_matches_the_module()
    {
        var configs = Load();
        var byDirectory = configs.ToDictionary(c => c.Directory);
        var problems = new List<string>();
        var calls = 0;
        foreach (var config in configs)
        {
            foreach (var (name, call) in config.ModuleCalls)
            {
                calls++;
                var source = call.GetProperty("source").GetString()!;
                var target = Path.GetFullPath(Path.Combine(config.Directory, source));
                if (!byDirectory.TryGetValue(target, out var module))
                {
                    problems.Add($"{config.Name}: module \"{name}\" source {source} is not a Terraform directory here");
                    continue;
                }
                var arguments = call.EnumerateObject().Select(p => p.Name).Where(a => !ModuleMetaArguments.Contains(a)).ToHashSet();
                foreach (var argument in arguments.Where(a => !module.Variables.ContainsKey(a)))
                    problems.Add($"{config.Name}: module \"{name}\" passes {argument}, which {module.Name} does not declare");
                foreach (var (variable, body) in module.Variables)
                    if (!body.TryGetProperty("default", out _) && !arguments.Contains(variable))
                        problems.Add($"{config.Name}: module \"{name}\" does not pass required variable {variable} of {module.Name}");
            }
        }
        output.WriteLine($"{calls} module calls checked");
        Assert.True(calls >= 18, $"only {calls} module calls found");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void No_IAM_wildcard_without_a_justification()
    {
        var configs = Load();
        var problems = new List<string>();
        var justified = 0;
        foreach (var config in configs)
        {
            foreach (var (file, (text, _)) in config.Files)
            {
                var lines = text.Split('\n');
                for (var i = 0; i < lines.Length; i++)
                {
                    if (!lines[i].Contains("\"*\"", StringComparison.Ordinal)) continue;
                    var window = string.Join('\n', lines[Math.Max(0, i - 3)..(i + 1)]);
                    if (Justification().IsMatch(window)) justified++;
                    else problems.Add($"{InfraTools.Relative(file)}:{i + 1}: \"*\" without an '# iam-wildcard: <why>' comment on it or the 3 lines above: {lines[i].Trim()}");
                }
            }
            // Allow statements of policy documents: no "*" or "service:*" action at all.
            foreach (var (name, body) in config.Resources.Where(r => r.Key.StartsWith("data.aws_iam_policy_document.", StringComparison.Ordinal)))
            {
                if (!body.TryGetProperty("statement", out var statements)) continue;
                foreach (var statement in statements.EnumerateArray())
                {
                    if (statement.TryGetProperty("effect", out var effect) && effect.GetString() == "Deny") continue;
                    if (!statement.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array) continue;
                    foreach (var action in actions.EnumerateArray().Select(a => a.GetString() ?? ""))
                        if (action == "*" || action.EndsWith(":*", StringComparison.Ordinal))
                            problems.Add($"{config.Name}: {name} allows action {action}");
                }
            }
        }
        output.WriteLine($"{justified} justified wildcards");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [SkippableFact]
    public void The_IoT_device_policy_is_scoped_by_thing_name()
    {
        var configs = Load();
        var iot = Config(configs, "modules/iot");
        Assert.Equal("$${iot:Connection.Thing.ThingName}", iot.Locals["thing"].GetString());
        var policy = iot.Resources["aws_iot_policy.device"].GetProperty("policy").GetString()!;
        var resources = IotArn().Matches(policy).Select(m => m.Groups[1].Value).ToList();
        Assert.True(resources.Count >= 10, $"device policy: {resources.Count} resources found");
        foreach (var resource in resources)
        {
            Assert.Contains("${local.thing}", resource);
            Assert.DoesNotContain("+", resource);
            Assert.DoesNotContain("#", resource);
            Assert.False(resource.Replace("${local.thing}", "").Contains("anc/*", StringComparison.Ordinal), $"device policy resource spans devices: {resource}");
        }
        Assert.Contains("iot:Connection.Thing.IsAttached", policy);
        // A bare ${iot:…} would be Terraform interpolation, not the policy variable.
        foreach (var config in configs)
            foreach (var (file, (text, _)) in config.Files)
            {
                var code = string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith('#')));
                Assert.False(UnescapedIotVariable().IsMatch(code), $"{InfraTools.Relative(file)}: ${{iot:…}} must be written $${{iot:…}} in HCL");
            }
    }

    [SkippableFact]
    public void Orleans_ports_are_never_open_to_the_public()
    {
        var configs = Load();
        var problems = new List<string>();
        var selfRules = new List<int>();
        foreach (var config in configs)
        {
            foreach (var (name, body) in config.Resources)
            {
                IEnumerable<JsonElement> rules = name.Split('.')[0] switch
                {
                    "aws_vpc_security_group_ingress_rule" => [body],
                    "aws_security_group_rule" when body.GetProperty("type").GetString() == "ingress" => [body],
                    "aws_security_group" when body.TryGetProperty("ingress", out var inline) => inline.EnumerateArray(),
                    _ => [],
                };
                foreach (var rule in rules)
                {
                    var protocol = Str(rule, "ip_protocol") ?? Str(rule, "protocol") ?? "tcp";
                    var all = protocol is "-1" or "all";
                    var from = all ? 0 : Port(config, rule, "from_port");
                    var to = all ? 65535 : Port(config, rule, "to_port");
                    if (from is null || to is null)
                    {
                        problems.Add($"{config.Name}: {name}: port not resolvable to a number");
                        continue;
                    }
                    var orleansPorts = new[] { OrleansOptions.DefaultSiloPort, OrleansOptions.DefaultGatewayPort }.Where(p => p >= from && p <= to).ToList();
                    if (orleansPorts.Count == 0) continue;
                    var cidrs = new[] { "cidr_ipv4", "cidr_ipv6", "cidr_blocks", "ipv6_cidr_blocks", "prefix_list_id", "prefix_list_ids" }
                        .Where(k => rule.TryGetProperty(k, out _)).ToList();
                    var self = Str(rule, "referenced_security_group_id") is { } referenced && referenced == Str(rule, "security_group_id")
                               || rule.TryGetProperty("self", out var s) && s.ValueKind == JsonValueKind.True;
                    if (cidrs.Count > 0 || !self)
                        problems.Add($"{config.Name}: {name} opens {string.Join("/", orleansPorts)} to {(cidrs.Count > 0 ? string.Join(",", cidrs.Select(c => rule.GetProperty(c).ToString())) : Str(rule, "referenced_security_group_id") ?? "?")}: only self-ingress is allowed");
                    else selfRules.AddRange(orleansPorts);
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains(OrleansOptions.DefaultSiloPort, selfRules);
        Assert.Contains(OrleansOptions.DefaultGatewayPort, selfRules);
    }

    [SkippableFact]
    public void ECS_task_environments_are_keys_the_app_binds()
    {
        var cluster = Config(Load(), "modules/cluster");
        var problems = new List<string>();
        var apps = new (string Container, App App, string[] Maps)[]
        {
            ("gateway_container", App.Gateway, ["gateway_environment", "gateway_secrets"]),
            ("silo_container", App.Silo, ["silo_environment"]),
        };
        foreach (var (container, app, maps) in apps)
        {
            var keys = ConfigurationKeys.For(app);
            var definition = cluster.Locals[container];
            var environment = definition.GetProperty("environment").GetString()!;
            Assert.Contains($"local.{maps[0]}", environment);
            if (maps.Length > 1) Assert.Contains($"local.{maps[1]}", definition.GetProperty("secrets").GetString()!);
            else Assert.False(definition.TryGetProperty("secrets", out _), $"{container} has secrets the test does not check");
            foreach (var map in maps)
            {
                var names = cluster.LocalMapKeys(map);
                Assert.NotEmpty(names);
                foreach (var name in names.Order())
                {
                    var why = keys.Explain(name);
                    if (why is null) problems.Add($"{app}: {name} (local.{map}) is not a configuration key the {app} binds");
                    else output.WriteLine($"{app}: {name} ← {why}");
                }
            }
        }
        // Every container in a task definition is the gateway, the silo or the collector sidecar, whose only variable is its config.
        foreach (var (name, body) in cluster.Resources.Where(r => r.Key.StartsWith("aws_ecs_task_definition.", StringComparison.Ordinal)))
        {
            var containers = TerraformConfig.LocalReference().Matches(body.GetProperty("container_definitions").GetString()!).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(containers);
            foreach (var container in containers.Where(c => c is not ("gateway_container" or "silo_container")))
            {
                var sidecar = cluster.Locals[container];
                var inline = TerraformConfig.Strings(sidecar).Concat(sidecar.TryGetProperty("secrets", out var secrets) ? secrets.EnumerateArray().Select(s => s.GetProperty("name").GetString()!) : []);
                Assert.False(sidecar.TryGetProperty("environment", out _), $"{name}: {container} sets an environment the test does not check");
                Assert.Equal(["AOT_CONFIG_CONTENT"], secrets.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
                Assert.DoesNotContain(inline, s => s.Contains("var.gateway_image", StringComparison.Ordinal) || s.Contains("var.silo_image", StringComparison.Ordinal));
            }
        }
        // Values that must agree with the app's own vocabulary.
        var common = cluster.Locals["common_environment"];
        Assert.Contains(common.GetProperty("Clustering__Provider").GetString(), ClusteringOptions.Providers);
        Assert.Contains(common.GetProperty("Persistence__Provider").GetString(), PersistenceOptions.Providers);
        Assert.Equal(OrleansOptions.DefaultSiloPort, (int)cluster.Locals["silo_port"].GetDouble());
        Assert.Equal(OrleansOptions.DefaultGatewayPort, (int)cluster.Locals["gateway_port"].GetDouble());
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_reflection_helper_finds_the_app_keys_and_refuses_others()
    {
        var gateway = ConfigurationKeys.For(App.Gateway);
        var silo = ConfigurationKeys.For(App.Silo);
        output.WriteLine($"gateway: {gateway.Patterns.Count()} keys in {gateway.Sections.Count} sections: {string.Join(", ", gateway.Sections.Select(s => $"{s.Section}={s.Type.Name}"))}");
        foreach (var key in new[] { "Auth__AdminKey", "Gateway__FrameDeadlineMs", "Mqtt__EmbeddedBroker", "Auth__AllowedOrigins__0", "Clustering__Membership__ProbeTimeout", "Placement__LocalSiloPreferenceMargin", "Orleans__AdvertisedIPAddress", "DynamoDB__TablePrefix", "Classifier__EndpointName", "Classifier__Smoothing", "Session__CheckpointSeconds", "Persistence__Provider", "Kubernetes__Enabled", "ASPNETCORE_URLS" })
            Assert.True(gateway.Binds(key), $"gateway should bind {key}");
        foreach (var key in new[] { "Orleans__SiloPort", "DynamoDB__Region", "Clustering__Provider", "Classifier__Backend", "DOTNET_ENVIRONMENT", "POD_NAME" })
            Assert.True(silo.Binds(key), $"silo should bind {key}");
        foreach (var key in new[] { "Auth__AdminKey", "Gateway__FrameDeadlineMs", "Mqtt__Enabled", "ASPNETCORE_URLS" })
            Assert.False(silo.Binds(key), $"the silo does not bind {key}");
        foreach (var key in new[] { "Orleans__AdvertisedIpAdress", "DynamoDB__Table", "Auth__AllowedOrigins__x", "Gateway", "Gateway__FrameDeadlineMs__0", "REDIS_URL", "Auth__AdminKey__" })
            Assert.False(gateway.Binds(key), $"{key} is not a key");
        Assert.True(gateway.Binds("auth__adminkey"), "configuration keys are case-insensitive");
    }

    [SkippableFact]
    public void The_tables_have_the_schema_the_app_uses()
    {
        var data = Config(Load(), "modules/data");
        var membership = data.Resources["aws_dynamodb_table.membership"];
        var grainState = data.Resources["aws_dynamodb_table.grain_state"];
        Assert.Equal("${local.membership_table}", membership.GetProperty("name").GetString());
        Assert.Equal("${local.grain_state_table}", grainState.GetProperty("name").GetString());
        Assert.Equal("${var.table_prefix}membership", data.Locals["membership_table"].GetString());
        Assert.Equal("${var.table_prefix}grain-state", data.Locals["grain_state_table"].GetString());
        var options = new DynamoDbOptions { TablePrefix = "P-" };
        Assert.Equal("P-membership", options.MembershipTable);
        Assert.Equal("P-grain-state", options.GrainStateTable);

        Assert.Equal(PrivateConst(typeof(DynamoDbMembershipTable), "Cluster"), membership.GetProperty("hash_key").GetString());
        Assert.Equal(PrivateConst(typeof(DynamoDbMembershipTable), "Row"), membership.GetProperty("range_key").GetString());
        Assert.Equal(PrivateConst(typeof(DynamoDbGrainStorage), "Key"), grainState.GetProperty("hash_key").GetString());
        Assert.Equal(PrivateConst(typeof(DynamoDbGrainStorage), "Expires"), grainState.GetProperty("ttl")[0].GetProperty("attribute_name").GetString());
        foreach (var table in new[] { membership, grainState })
        {
            Assert.All(table.GetProperty("attribute").EnumerateArray(), a => Assert.Equal("S", a.GetProperty("type").GetString()));
            Assert.Equal("${var.point_in_time_recovery}", table.GetProperty("point_in_time_recovery")[0].GetProperty("enabled").GetString());
            Assert.Equal("${var.deletion_protection}", table.GetProperty("deletion_protection_enabled").GetString());
        }
    }

    [SkippableFact]
    public void The_collector_keeps_the_seed_namespaces_and_ships_only_real_metrics()
    {
        var observability = Config(Load(), "modules/observability");
        var template = File.ReadAllText(Path.Combine(observability.Directory, "adot-config.yaml.tftpl"));
        var appMetrics = AppMetrics.Names();
        output.WriteLine("the app's meter: " + string.Join(", ", appMetrics.Order()));
        Assert.Superset(new HashSet<string> { "NoiseReductionDB", "ProcessingTimeMs", "Latency", "Throughput", "ErrorCount", "ValidationErrors" }, appMetrics);

        // exporter → namespace, pipeline → (filter, exporter), filter → metric names
        var namespaces = EmfExporter().Matches(template).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var filters = MetricFilter().Matches(template).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var pipelines = MetricPipeline().Matches(template).Select(m => (Filter: m.Groups[1].Value, Exporter: m.Groups[2].Value)).ToList();
        Assert.Equal("ANC/Processing", namespaces["processing"]);
        Assert.Equal("ANC/Performance", namespaces["performance"]);
        Assert.Equal("ANC/Errors", namespaces["errors"]);
        Assert.Contains("awsxray", template);
        var routed = pipelines.SelectMany(p => filters[p.Filter].Select(metric => (metric, ns: namespaces[p.Exporter]))).ToList();
        foreach (var (metric, ns) in new[]
                 {
                     ("NoiseReductionDB", "ANC/Processing"), ("ProcessingTimeMs", "ANC/Processing"), ("ErrorPower", "ANC/Processing"),
                     ("Latency", "ANC/Performance"), ("Throughput", "ANC/Performance"), ("ErrorCount", "ANC/Errors"), ("ValidationErrors", "ANC/Errors"),
                 })
            Assert.Contains((metric, ns), routed);
        foreach (var (metric, _) in routed.Where(r => r.ns.StartsWith("ANC/", StringComparison.Ordinal) && r.ns != "${cluster_namespace}"))
            Assert.True(appMetrics.Contains(metric), $"the collector routes {metric}, which the app does not publish");

        // The dashboard and the alarms use only metrics the app publishes.
        foreach (var widget in observability.Locals["metric_widgets"].EnumerateArray())
            foreach (var metric in widget.GetProperty("metrics").EnumerateArray())
                Assert.True(appMetrics.Contains(metric.GetString()!), $"dashboard: {metric.GetString()} is not an app metric");
        foreach (var (name, alarm) in observability.Resources.Where(r => r.Key.StartsWith("aws_cloudwatch_metric_alarm.", StringComparison.Ordinal)))
        {
            var metrics = alarm.TryGetProperty("metric_query", out var queries)
                ? queries.EnumerateArray().Where(q => q.TryGetProperty("metric", out _)).Select(q => (q.GetProperty("metric")[0].GetProperty("namespace").GetString()!, q.GetProperty("metric")[0].GetProperty("metric_name").GetString()!))
                : [(alarm.GetProperty("namespace").GetString()!, alarm.GetProperty("metric_name").GetString()!)];
            foreach (var (ns, metric) in metrics.Where(m => m.Item1.StartsWith("ANC/", StringComparison.Ordinal)))
                Assert.True(appMetrics.Contains(metric), $"{name}: {ns} {metric} is not an app metric");
            Assert.Equal("${var.alarms_topic_arn}", alarm.GetProperty("alarm_actions")[0].GetString());
        }
        Assert.Equal(["error_rate", "latency", "silo_count"], observability.Resources.Keys.Where(k => k.StartsWith("aws_cloudwatch_metric_alarm.", StringComparison.Ordinal)).Select(k => k.Split('.')[1]).Order());
    }

    [SkippableFact]
    public void The_ALB_idle_timeout_exceeds_the_gateways_WebSocket_keep_alive()
    {
        var cluster = Config(Load(), "modules/cluster");
        var keepAlive = WebSocketKeepAlive().Match(File.ReadAllText(Path.Combine(InfraTools.RepoRoot, "gateway.core", "GatewayHosting.cs")));
        Assert.True(keepAlive.Success, "gateway.core/GatewayHosting.cs: KeepAliveInterval = TimeSpan.FromSeconds(N) not found");
        var appSeconds = int.Parse(keepAlive.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(appSeconds, cluster.Variables["websocket_keepalive_seconds"].GetProperty("default").GetInt32());
        Assert.True(cluster.Variables["alb_idle_timeout_seconds"].GetProperty("default").GetInt32() > appSeconds);
        Assert.Equal("${var.alb_idle_timeout_seconds}", cluster.Resources["aws_lb.alb"].GetProperty("idle_timeout").GetString());
        var precondition = cluster.Resources["aws_lb.alb"].GetProperty("lifecycle")[0].GetProperty("precondition")[0].GetProperty("condition").GetString();
        Assert.Equal("${var.alb_idle_timeout_seconds > var.websocket_keepalive_seconds}", precondition);
        // The ALB checks liveness, never readiness (a slow membership table must not get healthy tasks replaced).
        Assert.Equal("/healthz", cluster.Resources["aws_lb_target_group.gateway"].GetProperty("health_check")[0].GetProperty("path").GetString());
    }

    [SkippableFact]
    public void The_environments_follow_the_seed_table()
    {
        var configs = Load();
        var dev = Config(configs, "envs/dev");
        var prod = Config(configs, "envs/prod");
        foreach (var (env, key) in new[] { (dev, "dev/terraform.tfstate"), (prod, "prod/terraform.tfstate") })
        {
            var backend = env.Files.Values.Select(f => f.Json).First(j => j.TryGetProperty("terraform", out var t) && t[0].TryGetProperty("backend", out _))
                .GetProperty("terraform")[0].GetProperty("backend").GetProperty("s3")[0];
            Assert.Equal(key, backend.GetProperty("key").GetString());
            Assert.Equal("terraform-lock", backend.GetProperty("dynamodb_table").GetString());
            Assert.True(backend.GetProperty("encrypt").GetBoolean());
        }
        // dev: single-AZ, Spot, no autoscaling, CloudFront and WAF optional (variables), on-demand, no deletion protection
        Assert.Equal(1, dev.ModuleCalls["network"].GetProperty("az_count").GetInt32());
        Assert.True(dev.ModuleCalls["cluster"].GetProperty("use_fargate_spot").GetBoolean());
        Assert.False(dev.ModuleCalls["cluster"].GetProperty("enable_autoscaling").GetBoolean());
        Assert.Equal("${var.enable_waf}", dev.ModuleCalls["cluster"].GetProperty("enable_waf").GetString());
        Assert.Equal("${var.enable_cloudfront}", dev.ModuleCalls["cdn"].GetProperty("enabled").GetString());
        Assert.Equal("PAY_PER_REQUEST", dev.ModuleCalls["data"].GetProperty("billing_mode").GetString());
        Assert.False(dev.ModuleCalls["data"].GetProperty("deletion_protection").GetBoolean());
        // prod: multi-AZ, on-demand Fargate, autoscaling, CloudFront + WAF required, deletion protection
        Assert.Equal("${var.azs}", prod.ModuleCalls["network"].GetProperty("az_count").GetString());
        Assert.Equal("${var.azs >= 2 && var.azs <= 3}", prod.Variables["azs"].GetProperty("validation")[0].GetProperty("condition").GetString());
        Assert.False(prod.ModuleCalls["cluster"].GetProperty("use_fargate_spot").GetBoolean());
        Assert.True(prod.ModuleCalls["cluster"].GetProperty("enable_autoscaling").GetBoolean());
        Assert.True(prod.ModuleCalls["cluster"].GetProperty("enable_waf").GetBoolean());
        Assert.True(prod.ModuleCalls["cluster"].GetProperty("load_balancer_deletion_protection").GetBoolean());
        Assert.True(prod.ModuleCalls["data"].GetProperty("deletion_protection").GetBoolean());
        Assert.True(prod.ModuleCalls["cdn"].GetProperty("enabled").GetBoolean());
        Assert.Equal("${aws_wafv2_web_acl.cloudfront.arn}", prod.ModuleCalls["cdn"].GetProperty("web_acl_arn").GetString());
        Assert.Equal("CLOUDFRONT", prod.Resources["aws_wafv2_web_acl.cloudfront"].GetProperty("scope").GetString());
        Assert.False(prod.Variables.ContainsKey("enable_cloudfront"));
        Assert.False(prod.Variables.ContainsKey("enable_waf"));
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;

    private static int? Port(TerraformConfig config, JsonElement rule, string name)
    {
        if (!rule.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number) return value.GetInt32();
        var local = Regex.Match(value.GetString() ?? "", @"^\$\{local\.(\w+)\}$");
        return local.Success && config.Locals.TryGetValue(local.Groups[1].Value, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
    }

    private static string PrivateConst(Type type, string name) =>
        type.GetField(name, BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue() as string
        ?? throw new InvalidOperationException($"{type.Name}.{name} not found: the test must follow the provider's key names");

    [GeneratedRegex(@"\$\$\{[^}]*\}")]
    private static partial Regex EscapedInterpolation();

    [GeneratedRegex(@"(?<![\w.])var\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"(?<![\w.])module\.([A-Za-z_][A-Za-z0-9_-]*)(?:\.([A-Za-z_][A-Za-z0-9_-]*))?")]
    private static partial Regex ModuleReference();

    [GeneratedRegex(@"(?<![\w.])data\.([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex DataReference();

    [GeneratedRegex(@"(?<![\w.])((?:aws|random|tls|null)_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)")]
    private static partial Regex ResourceReference();

    [GeneratedRegex(@"templatefile\(""\$\{path\.module\}/([^""]+)""")]
    private static partial Regex TemplateFile();

    [GeneratedRegex(@"#\s*iam-wildcard:\s*\S")]
    private static partial Regex Justification();

    [GeneratedRegex(@"""(\$\{local\.arn\}:[a-z]+/[^""]*)""")]
    private static partial Regex IotArn();

    [GeneratedRegex(@"(?<!\$)\$\{iot:")]
    private static partial Regex UnescapedIotVariable();

    [GeneratedRegex(@"awsemf/(\w+):\s*\n\s*region:[^\n]*\n\s*namespace:\s*(\S+)")]
    private static partial Regex EmfExporter();

    [GeneratedRegex(@"filter/(\w+):\s*\n\s*metrics:\s*\n\s*include:\s*\n\s*match_type:\s*strict\s*\n\s*metric_names:\s*\[([^\]]*)\]")]
    private static partial Regex MetricFilter();

    [GeneratedRegex(@"metrics/\w+:\s*\n\s*receivers:\s*\[otlp\]\s*\n\s*processors:\s*\[filter/(\w+),[^\]]*\]\s*\n\s*exporters:\s*\[awsemf/(\w+)\]")]
    private static partial Regex MetricPipeline();

    [GeneratedRegex(@"KeepAliveInterval\s*=\s*TimeSpan\.FromSeconds\((\d+)\)")]
    private static partial Regex WebSocketKeepAlive();
}
