using System.Diagnostics;
using AncOrleans.Abstractions.Recordings;
using AncOrleans.Aws.S3;
using AncOrleans.Grains.Recordings;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The recording store against an S3 endpoint that sends an answer's headers and then never its body: a chunk's upload
/// must give up within its attempts' deadlines (WholeAnswerHttpClientFactory), as a timeout, rather than hold the
/// session's recording writer for good.
/// </summary>
public sealed class S3DeadlineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_upload_to_a_server_that_stalls_after_the_headers_gives_up_as_a_timeout()
    {
        await using var stalling = new FakeBrokenAwsEndpoint(
            answer: "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<?xml"u8.ToArray());
        using var store = new S3RecordingStore(new RecordingS3Options
        {
            Bucket = "stalled", ServiceUrl = stalling.Url, RequestTimeout = TimeSpan.FromSeconds(1),
        });

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.PutAsync(RecordingKeys.Key("dev", RecordingKeys.Session(DateTime.UtcNow), 0, RecordingKeys.Noise), new byte[44], CancellationToken.None));
        output.WriteLine($"gave up after {clock.Elapsed.TotalSeconds:0.0} s with {error.GetType().Name}: {error.Message}; connections {stalling.Connections}");
        // The SDK's attempts, 1 s each, and its back-off between them.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the upload took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(error is TimeoutException || error.InnerException is TimeoutException, error.ToString());
    }
}
