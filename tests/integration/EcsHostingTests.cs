using System.Diagnostics;
using System.Net;
using System.Text;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The hosts as ECS runs them: the advertised address from the task metadata endpoint v4 (a local HTTP server that
/// answers the documented container-metadata shape), and SIGTERM leaving membership within the shutdown timeout.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class EcsHostingTests(ITestOutputHelper output)
{
    /// <summary>The shape of <c>GET ${ECS_CONTAINER_METADATA_URI_V4}</c> on Fargate (AWS docs' example, our values).</summary>
    private static string ContainerMetadata(string address) => $$"""
        {
          "DockerId": "0f1e2d3c4b5a69788796a5b4c3d2e1f0-1234567890",
          "Name": "silo",
          "DockerName": "silo",
          "Image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/anc-silo:test",
          "Labels": { "com.amazonaws.ecs.cluster": "arn:aws:ecs:eu-west-1:111122223333:cluster/anc", "com.amazonaws.ecs.container-name": "silo" },
          "DesiredStatus": "RUNNING",
          "KnownStatus": "RUNNING",
          "Limits": { "CPU": 1024, "Memory": 2048 },
          "Type": "NORMAL",
          "Networks": [
            {
              "NetworkMode": "awsvpc",
              "IPv4Addresses": [ "{{address}}" ],
              "AttachmentIndex": 0,
              "MACAddress": "0a:1b:2c:3d:4e:5f",
              "IPv4SubnetCIDRBlock": "10.0.1.0/24",
              "DomainNameServers": [ "10.0.0.2" ],
              "PrivateDNSName": "ip-10-0-1-17.eu-west-1.compute.internal",
              "SubnetGatewayIpv4Address": "10.0.1.1/24"
            }
          ]
        }
        """;

    [Fact]
    public async Task The_address_is_read_from_the_metadata_endpoint()
    {
        using var endpoint = MetadataServer.Start(ContainerMetadata("10.0.1.17"));
        using var http = new HttpClient();
        Assert.Equal(IPAddress.Parse("10.0.1.17"), await EcsTaskMetadata.ReadAddressAsync(http, endpoint.Uri, CancellationToken.None));
        Assert.Equal("/v4/0f1e2d3c-task", endpoint.LastPath); // the container path itself, not {uri}/task
    }

    [Theory]
    [InlineData("""{ "Name": "silo", "Networks": [] }""", "has no Networks[0].IPv4Addresses[0] (the task must use the awsvpc network mode)")]
    [InlineData("""{ "Networks": [ { "NetworkMode": "awsvpc", "IPv4Addresses": [ "fd00::17" ] } ] }""", "gives Networks[0].IPv4Addresses[0] = 'fd00::17', which is not an IPv4 address")]
    [InlineData("<html>", "is not JSON")]
    public void A_document_without_an_address_is_refused_clearly(string json, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => EcsTaskMetadata.ParseAddress(json, new Uri("http://169.254.170.2/v4/x")));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_is_named()
    {
        using var http = new HttpClient();
        var uri = new Uri($"http://127.0.0.1:{GatewayFixture.FreePort()}/v4/none");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EcsTaskMetadata.ReadAddressAsync(http, uri, CancellationToken.None));
        Assert.Contains($"The ECS task metadata endpoint {uri} (ECS_CONTAINER_METADATA_URI_V4) did not answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_wins_over_the_metadata_endpoint_and_loopback_is_the_last_resort()
    {
        var ecs = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [EcsTaskMetadata.UriVariable] = "http://127.0.0.1:1/never-asked" }).Build();
        Assert.Equal(IPAddress.Parse("10.9.8.7"), AdvertisedAddress.Resolve(new OrleansOptions { AdvertisedIPAddress = "10.9.8.7" }, ecs));
        var none = new ConfigurationBuilder().Build();
        Assert.Equal(IPAddress.Loopback, AdvertisedAddress.Resolve(new OrleansOptions(), none));
    }

    /// <summary>
    /// A worker silo process on DynamoDB clustering with only <c>ECS_CONTAINER_METADATA_URI_V4</c> set writes the
    /// metadata's address to the membership table; SIGTERM then ends it within <c>Orleans:ShutdownTimeout</c>, exit
    /// code 0, its row marked Dead by itself (not left Active for the others to vote out).
    /// </summary>
    [Fact]
    public async Task A_silo_advertises_the_metadata_address_and_leaves_membership_on_SIGTERM()
    {
        // 127.0.0.2: a non-default loopback address, so it can only have come from the metadata (cluster.sh and
        // docs/measurements/deploy.md run silos on non-loopback addresses in network namespaces).
        using var endpoint = MetadataServer.Start(ContainerMetadata("127.0.0.2"));
        var dynamo = DynamoDbLocal.Options();
        var cluster = $"ecs-{Guid.NewGuid():N}"[..20];
        var settings = new Dictionary<string, string?>
        {
            [EcsTaskMetadata.UriVariable] = endpoint.Uri.ToString(),
            ["Orleans:ClusterId"] = cluster,
            ["Orleans:ShutdownTimeout"] = "00:00:15",
            ["Clustering:Provider"] = "dynamodb",
            ["Persistence:Provider"] = "dynamodb",
            ["DynamoDB:ServiceUrl"] = dynamo.ServiceUrl,
            ["DynamoDB:TablePrefix"] = dynamo.TablePrefix,
        };
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var table = new DynamoDbMembershipTable(cluster, dynamo, DynamoDbClientFactory.Create(dynamo), serializer);
        using var silo = SiloProcess.Start(settings, output);

        var active = await WaitForAsync(table, SiloStatus.Active, TimeSpan.FromSeconds(60));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), active.SiloAddress.Endpoint.Address);
        Assert.Equal(silo.SiloPort, active.SiloAddress.Endpoint.Port);

        var clock = Stopwatch.StartNew();
        silo.Terminate();
        var exit = silo.WaitForExit(TimeSpan.FromSeconds(30));
        output.WriteLine($"SIGTERM → exit {exit} after {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.Equal(0, exit);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the silo took {clock.Elapsed} to stop (Orleans:ShutdownTimeout 15 s)");
        var rows = (await table.ReadAll()).Members.Select(m => m.Item1).Where(m => m.SiloAddress.Equals(active.SiloAddress)).ToList();
        Assert.Equal(SiloStatus.Dead, Assert.Single(rows).Status);
    }

    private static async Task<MembershipEntry> WaitForAsync(DynamoDbMembershipTable table, SiloStatus status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if ((await table.ReadAll()).Members.Select(m => m.Item1).FirstOrDefault(m => m.Status == status) is { } entry) return entry;
            }
            catch (Amazon.DynamoDBv2.Model.ResourceNotFoundException)
            {
                // The silo has not created the table yet.
            }
            Assert.True(DateTime.UtcNow < deadline, $"no {status} silo in the membership table after {timeout}");
            await Task.Delay(200);
        }
    }

    /// <summary>A stand-in for the ECS agent's metadata endpoint: answers one JSON document at <c>/v4/{id}</c> on loopback.</summary>
    private sealed class MetadataServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly byte[] _body;

        private MetadataServer(string json) => _body = Encoding.UTF8.GetBytes(json);

        public Uri Uri { get; private set; } = null!;

        public string? LastPath { get; private set; }

        public static MetadataServer Start(string json)
        {
            var server = new MetadataServer(json);
            var port = GatewayFixture.FreePort();
            server._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            server._listener.Start();
            server.Uri = new Uri($"http://127.0.0.1:{port}/v4/0f1e2d3c-task");
            _ = Task.Run(server.ServeAsync);
            return server;
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                LastPath = context.Request.Url?.AbsolutePath;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(_body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
