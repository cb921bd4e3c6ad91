using AncOrleans.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace AncOrleans.Tests;

/// <summary>
/// The gateway (and with it the silo configuration) registers every validator: a bad value stops the host at start
/// with the key in the message, before anything listens. No port is opened: every case fails first.
/// </summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("--Gateway:FrameDeadlineMs=0", "Gateway:FrameDeadlineMs must be between 1 and 1000, not 0")]
    [InlineData("--Gateway:EdgeFrameDeadlineMs=0", "Gateway:EdgeFrameDeadlineMs must be between 1 and 10000, not 0")]
    [InlineData("--Mqtt:EmbeddedBrokerPort=0", "Mqtt:EmbeddedBrokerPort must be between 1 and 65535, not 0")]
    [InlineData("--Session:CheckpointSeconds=0", "Session:CheckpointSeconds must be between 0.1 and 3600, not 0")]
    [InlineData("--Classifier:HoldWindows=0", "Classifier:HoldWindows must be between 1 and 60, not 0")]
    [InlineData("--Persistence:Provider=dynamo", "Persistence:Provider must be one of memory, dynamodb, not 'dynamo'")]
    [InlineData("--Clustering:Provider=zookeeper", "Clustering:Provider must be one of localhost, dynamodb, not 'zookeeper'")]
    [InlineData("--Clustering:Membership:NumMissedProbesLimit=0", "Clustering:Membership:NumMissedProbesLimit must be between 1 and 10, not 0")]
    [InlineData("--Orleans:SiloPort=0", "Orleans:SiloPort must be between 1 and 65535, not 0")]
    [InlineData("--Orleans:ClusterId=", "Orleans:ClusterId must not be empty")]
    [InlineData("--Placement:LocalSiloPreferenceMargin=150", "Placement:LocalSiloPreferenceMargin must be between 0 and 100, not 150")]
    [InlineData("--Persistence:Provider=dynamodb --DynamoDB:Region=Ireland", "DynamoDB:Region 'Ireland' is not an AWS region name")]
    [InlineData("--Auth:AdminKey=", "Auth:AdminKey must be set in production (environment Auth__AdminKey")]
    [InlineData("--Auth:AdminKey=short", "Auth:AdminKey must be at least 32 characters without spaces, not 5")]
    [InlineData("--Auth:Mode=open", "Auth:Mode must be one of development, production, not 'open'")]
    [InlineData("--Gateway:MaxRealTimeFactor=0.5", "Gateway:MaxRealTimeFactor must be between 1 and 16, not 0.5")]
    public async Task A_bad_value_stops_the_gateway_at_start(string arguments, string message)
    {
        var builder = WebApplication.CreateBuilder([
            "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None",
            $"--Orleans:SiloPort={LoopbackPorts.Free()}", $"--Orleans:GatewayPort={LoopbackPorts.Free()}",
            $"--Mqtt:EmbeddedBrokerPort={LoopbackPorts.Free()}", "--Auth:AdminKey=0123456789abcdef0123456789abcdef",
            .. arguments.Split(' '),
        ]);
        builder.AddAncGateway();
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
