using AncOrleans.Aws.DynamoDb;
using AncOrleans.Gateway;
using AncOrleans.Gateway.Mqtt;
using AncOrleans.Grains.Classification;
using AncOrleans.Grains.Sessions;
using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ClusterMembershipOptions = Orleans.Configuration.ClusterMembershipOptions;
using ResourceOptimizedPlacementOptions = Orleans.Configuration.ResourceOptimizedPlacementOptions;

namespace AncOrleans.Tests;

/// <summary>
/// Every options type's validator: the defaults pass, and a bad value — bound from configuration as at start-up — is
/// rejected with a message naming its key.
/// </summary>
public sealed class OptionsValidationTests
{
    /// <summary>Binds <c>settings</c> (full keys) to each options type's section and runs its validator.</summary>
    private static readonly Dictionary<string, Func<IConfiguration, ValidateOptionsResult>> Validators = new()
    {
        [GatewayOptions.Section] = c => Check<GatewayOptions, GatewayOptionsValidator>(c, GatewayOptions.Section),
        [MqttOptions.Section] = c => Check<MqttOptions, MqttOptionsValidator>(c, MqttOptions.Section),
        [SessionGrainOptions.Section] = c => Check<SessionGrainOptions, SessionGrainOptionsValidator>(c, SessionGrainOptions.Section),
        [ClassifierOptions.Section] = c => Check<ClassifierOptions, ClassifierOptionsValidator>(c, ClassifierOptions.Section),
        [DynamoDbOptions.Section] = c => Check<DynamoDbOptions, DynamoDbOptionsValidator>(c, DynamoDbOptions.Section),
        [OrleansOptions.Section] = c => Check<OrleansOptions, OrleansOptionsValidator>(c, OrleansOptions.Section),
        [ClusteringOptions.Section] = c => Check<ClusteringOptions, ClusteringOptionsValidator>(c, ClusteringOptions.Section),
        [MembershipOptionsValidator.Section] = c => Check<ClusterMembershipOptions, MembershipOptionsValidator>(c, MembershipOptionsValidator.Section),
        [PersistenceOptions.Section] = c => Check<PersistenceOptions, PersistenceOptionsValidator>(c, PersistenceOptions.Section),
        [PlacementOptionsValidator.Section] = c => Check<ResourceOptimizedPlacementOptions, PlacementOptionsValidator>(c, PlacementOptionsValidator.Section),
    };

    public static TheoryData<string> Sections => [.. Validators.Keys];

    [Theory]
    [MemberData(nameof(Sections))]
    public void The_defaults_pass(string section)
    {
        var result = Validators[section](Configuration([]));
        Assert.False(result.Failed, result.FailureMessage);
    }

    [Theory]
    [InlineData("Gateway", "Gateway:FrameDeadlineMs", "0", "Gateway:FrameDeadlineMs must be between 1 and 1000, not 0")]
    [InlineData("Gateway", "Gateway:ResendPauseMs", "40", "Gateway:ResendPauseMs must be at least 0 and less than Gateway:FrameDeadlineMs (40), not 40")]
    [InlineData("Gateway", "Gateway:MaxMessageBytes", "100", "Gateway:MaxMessageBytes must be between 4096 and 16777216, not 100")]
    [InlineData("Gateway", "Gateway:SendQueueFrames", "0", "Gateway:SendQueueFrames must be between 1 and 4096, not 0")]
    [InlineData("Gateway", "Gateway:StatsIntervalSeconds", "0", "Gateway:StatsIntervalSeconds must be between 0.05 and 3600, not 0")]
    [InlineData("Gateway", "Gateway:AlertWebhookUrl", "pager", "Gateway:AlertWebhookUrl 'pager' must be an absolute http(s) URL")]
    [InlineData("Gateway", "Gateway:WarmupDevices", "-1", "Gateway:WarmupDevices must be between 0 and 1000 (0: no rehearsal), not -1")]
    [InlineData("Gateway", "Gateway:WarmupSeconds", "0", "Gateway:WarmupSeconds must be between 0.1 and 60, not 0")]
    [InlineData("Mqtt", "Mqtt:EmbeddedBrokerPort", "70000", "Mqtt:EmbeddedBrokerPort must be between 1 and 65535, not 70000")]
    [InlineData("Mqtt", "Mqtt:UseTls", "true", "Mqtt:UseTls needs an external broker (Mqtt:EmbeddedBroker=false)")]
    [InlineData("Mqtt", "Mqtt:ClientId", " ", "Mqtt:ClientId must be 1 to 128 characters")]
    [InlineData("Mqtt", "Mqtt:ClientCertificatePath", "/no/such.p12", "Mqtt:ClientCertificatePath is set but Mqtt:UseTls is false")]
    [InlineData("Session", "Session:CheckpointSeconds", "0", "Session:CheckpointSeconds must be between 0.1 and 3600, not 0")]
    [InlineData("Session", "Session:MaxFrameSamples", "0", "Session:MaxFrameSamples must be between 1 and 48000, not 0")]
    [InlineData("Session", "Session:MaxAbsSample", "0.5", "Session:MaxAbsSample must be between 1 and 1000, not 0.5")]
    [InlineData("Session", "Session:FeatureBatchMs", "5", "Session:FeatureBatchMs must be between 10 and 1000, not 5")]
    [InlineData("Session", "Session:EdgeConvergingPerCore", "-1", "Session:EdgeConvergingPerCore must be between 0 (no limit) and 10000, not -1")]
    [InlineData("Session", "Session:EdgeConvergeSeconds", "0", "Session:EdgeConvergeSeconds must be between 0.1 and 3600, not 0")]
    [InlineData("Classifier", "Classifier:ModelPath", "/no/such/model.zip", "Classifier:ModelPath '/no/such/model.zip' does not exist")]
    [InlineData("Classifier", "Classifier:Smoothing", "1", "Classifier:Smoothing must be at least 0 and less than 1, not 1")]
    [InlineData("Classifier", "Classifier:HoldWindows", "0", "Classifier:HoldWindows must be between 1 and 60, not 0")]
    [InlineData("Classifier", "Classifier:EnterConfidence", "1.5", "Classifier:EnterConfidence must be between 0 and 1, not 1.5")]
    [InlineData("Classifier", "Classifier:SwitchMargin", "-0.1", "Classifier:SwitchMargin must be between 0 and 1, not -0.1")]
    [InlineData("Classifier", "Classifier:MinDwellSeconds", "-1", "Classifier:MinDwellSeconds must be between 0 and 3600, not -1")]
    [InlineData("Classifier", "Classifier:PredictTimeoutMs", "0", "Classifier:PredictTimeoutMs must be between 1 and 60000, not 0")]
    [InlineData("Classifier", "Classifier:TaggerPath", "/no/such/yamnet.tflite", "Classifier:TaggerPath '/no/such/yamnet.tflite' does not exist")]
    [InlineData("Classifier", "Classifier:TaggerGate", "2", "Classifier:TaggerGate must be between 0 and 1, not 2")]
    [InlineData("DynamoDB", "DynamoDB:ServiceUrl", "localhost:8000", "DynamoDB:ServiceUrl 'localhost:8000' must be an absolute http(s) URL")]
    [InlineData("DynamoDB", "DynamoDB:Region", "Ireland", "DynamoDB:Region 'Ireland' is not an AWS region name")]
    [InlineData("DynamoDB", "DynamoDB:TablePrefix", "anc prod/", "DynamoDB:TablePrefix 'anc prod/' makes the table name 'anc prod/grain-state'")]
    [InlineData("DynamoDB", "DynamoDB:StateTimeToLive", "00:00:00", "DynamoDB:StateTimeToLive must be at least 00:00:01 when set")]
    [InlineData("DynamoDB", "DynamoDB:RequestTimeout", "00:00:00.5", "DynamoDB:RequestTimeout must be between 00:00:01 and 00:01:00, not 00:00:00.5")]
    [InlineData("Orleans", "Orleans:SiloPort", "0", "Orleans:SiloPort must be between 1 and 65535, not 0")]
    [InlineData("Orleans", "Orleans:GatewayPort", "11111", "Orleans:GatewayPort must differ from Orleans:SiloPort (both are 11111)")]
    [InlineData("Orleans", "Orleans:PrimarySiloPort", "-1", "Orleans:PrimarySiloPort must be between 1 and 65535 when set, not -1")]
    [InlineData("Orleans", "Orleans:ClusterId", " ", "Orleans:ClusterId must not be empty")]
    [InlineData("Orleans", "Orleans:ServiceId", "", "Orleans:ServiceId must not be empty")]
    [InlineData("Orleans", "Orleans:AdvertisedIPAddress", "gateway-1", "Orleans:AdvertisedIPAddress must be an IP address (e.g. 10.0.1.17), not 'gateway-1'")]
    [InlineData("Orleans", "Orleans:ShutdownTimeout", "00:00:00", "Orleans:ShutdownTimeout must be between 00:00:01 and 00:02:00, not 00:00:00")]
    [InlineData("Orleans", "Orleans:GrainDirectory", "consistent", "Orleans:GrainDirectory must be one of default, distributed, not 'consistent'")]
    [InlineData("Clustering", "Clustering:Provider", "zookeeper", "Clustering:Provider must be one of localhost, dynamodb, not 'zookeeper'")]
    [InlineData("Clustering:Membership", "Clustering:Membership:ProbeTimeout", "00:00:00", "Clustering:Membership:ProbeTimeout must be between 00:00:00.1 and 00:01:00, not 00:00:00")]
    [InlineData("Clustering:Membership", "Clustering:Membership:NumMissedProbesLimit", "0", "Clustering:Membership:NumMissedProbesLimit must be between 1 and 10, not 0")]
    [InlineData("Clustering:Membership", "Clustering:Membership:NumVotesForDeathDeclaration", "11", "Clustering:Membership:NumVotesForDeathDeclaration must be between 1 and Clustering:Membership:NumProbedSilos (10), not 11")]
    [InlineData("Clustering:Membership", "Clustering:Membership:TableRefreshTimeout", "00:00:00", "Clustering:Membership:TableRefreshTimeout must be positive, not 00:00:00")]
    [InlineData("Persistence", "Persistence:Provider", "dynamo", "Persistence:Provider must be one of memory, dynamodb, not 'dynamo'")]
    [InlineData("Placement", "Placement:LocalSiloPreferenceMargin", "150", "Placement:LocalSiloPreferenceMargin must be between 0 and 100, not 150")]
    [InlineData("Placement", "Placement:CpuUsageWeight", "-5", "Placement:CpuUsageWeight must be between 0 and 100, not -5")]
    public void A_bad_value_is_rejected_naming_its_key(string section, string key, string value, string message)
    {
        var result = Validators[section](Configuration(new() { [key] = value }));
        Assert.True(result.Failed, $"{key}={value} passed");
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var result = Validators[GatewayOptions.Section](Configuration(new() { ["Gateway:FrameDeadlineMs"] = "0", ["Gateway:SendQueueFrames"] = "0" }));
        Assert.Equal(2, result.Failures!.Count());
    }

    [Fact]
    public void Disabled_mqtt_and_classifier_are_not_checked()
    {
        Assert.True(Validators[MqttOptions.Section](Configuration(new() { ["Mqtt:Enabled"] = "false", ["Mqtt:EmbeddedBrokerPort"] = "0" })).Skipped);
        Assert.True(Validators[ClassifierOptions.Section](Configuration(new() { ["Classifier:Enabled"] = "false", ["Classifier:HoldWindows"] = "0" })).Skipped);
    }

    [Fact]
    public void An_external_broker_is_checked_instead_of_the_embedded_one()
    {
        var result = Validators[MqttOptions.Section](Configuration(new()
        {
            ["Mqtt:EmbeddedBroker"] = "false", ["Mqtt:EmbeddedBrokerPort"] = "0", ["Mqtt:Host"] = "", ["Mqtt:Port"] = "0",
        }));
        Assert.Equal(["Mqtt:Host must name the broker when Mqtt:EmbeddedBroker is false.", "Mqtt:Port must be between 1 and 65535, not 0."], result.Failures!);
    }

    [Fact]
    public void A_local_dynamodb_takes_any_signing_region()
    {
        var result = Validators[DynamoDbOptions.Section](Configuration(new() { ["DynamoDB:ServiceUrl"] = "http://127.0.0.1:8000", ["DynamoDB:Region"] = "local" }));
        Assert.False(result.Failed, result.FailureMessage);
    }

    [Fact]
    public void Each_dynamodb_attempt_gets_the_configured_timeout_local_or_in_a_region()
    {
        var local = DynamoDbClientFactory.Config(new DynamoDbOptions { ServiceUrl = "http://127.0.0.1:8000", RequestTimeout = TimeSpan.FromSeconds(3) });
        Assert.Equal(("http://127.0.0.1:8000/", TimeSpan.FromSeconds(3)), (local.ServiceURL, local.Timeout));
        var aws = DynamoDbClientFactory.Config(new DynamoDbOptions { Region = "eu-west-1" });
        Assert.Equal(("eu-west-1", TimeSpan.FromSeconds(5)), (aws.RegionEndpoint.SystemName, aws.Timeout));
    }

    private static ValidateOptionsResult Check<TOptions, TValidator>(IConfiguration configuration, string section)
        where TOptions : class, new()
        where TValidator : IValidateOptions<TOptions>, new()
    {
        var options = new TOptions();
        configuration.GetSection(section).Bind(options);
        return new TValidator().Validate(Options.DefaultName, options);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
}
