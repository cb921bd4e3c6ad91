using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AncOrleans.Abstractions.Recordings;
using AncOrleans.Grains.Recordings;

namespace AncOrleans.Aws.S3;

/// <summary>
/// <c>Recording:Store=s3</c>: each WAV is an object <c>{Prefix}{key}</c> in <c>Recording:S3:Bucket</c>
/// (<c>audio/wav</c>). Against AWS the bucket and its lifecycle rules come from the infrastructure; against a local
/// S3-compatible server (<c>ServiceUrl</c>, path-style) the bucket is created on first use.
/// </summary>
public sealed class S3RecordingStore : IRecordingStore, IDisposable
{
    private readonly IAmazonS3 _client;
    private readonly RecordingS3Options _options;
    private readonly SemaphoreSlim _ensure = new(1, 1);
    private readonly bool _local;
    private volatile bool _ready;

    public S3RecordingStore(RecordingS3Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var config = string.IsNullOrEmpty(options.ServiceUrl)
            ? new AmazonS3Config { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) }
            : new AmazonS3Config
            {
                ServiceURL = options.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = options.Region,
                // s3rver stores an aws-chunked body as it comes (signature lines and all): send plain bodies, with
                // checksums only where S3 requires them.
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            };
        // Each attempt's whole answer, body included, within the timeout: a stalled answer must not hold a session's
        // recording writer for good (WholeAnswerHttpClientFactory).
        config.Timeout = options.RequestTimeout;
        config.HttpClientFactory = new WholeAnswerHttpClientFactory("S3", options.RequestTimeout);
        _client = string.IsNullOrEmpty(options.ServiceUrl)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey ?? "S3RVER", options.SecretKey ?? "S3RVER"), config);
        _local = !string.IsNullOrEmpty(options.ServiceUrl);
        _ready = !_local;
    }

    private string Bucket => _options.Bucket!;

    public async Task PutAsync(string key, byte[] wav, CancellationToken cancel)
    {
        if (!RecordingKeys.TryParse(key, out _)) throw new ArgumentException($"'{key}' is not a recording key.");
        await EnsureBucketAsync(cancel);
        using var body = new MemoryStream(wav, writable: false);
        var request = new PutObjectRequest { BucketName = Bucket, Key = _options.Prefix + key, InputStream = body, ContentType = "audio/wav" };
        if (_local) request.UseChunkEncoding = false;
        await _client.PutObjectAsync(request, cancel);
    }

    public async Task<IReadOnlyList<RecordingInfo>> ListAsync(string? deviceId, CancellationToken cancel)
    {
        await EnsureBucketAsync(cancel);
        var found = new List<RecordingInfo>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = _options.Prefix + (deviceId is null ? "" : deviceId + "/") };
        ListObjectsV2Response page;
        do
        {
            page = await _client.ListObjectsV2Async(request, cancel);
            foreach (var item in page.S3Objects ?? [])
                if (RecordingKeys.TryParse(item.Key[_options.Prefix.Length..], out var info))
                    found.Add(info with { Bytes = item.Size ?? 0, ModifiedUtc = item.LastModified?.ToUniversalTime() ?? default });
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return found.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancel)
    {
        if (!RecordingKeys.TryParse(key, out _)) return null;
        await EnsureBucketAsync(cancel);
        try
        {
            using var response = await _client.GetObjectAsync(Bucket, _options.Prefix + key, cancel);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes, cancel);
            return bytes.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task EnsureBucketAsync(CancellationToken cancel)
    {
        if (_ready) return;
        await _ensure.WaitAsync(cancel);
        try
        {
            if (_ready) return;
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, cancel);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
            _ready = true;
        }
        finally
        {
            _ensure.Release();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _ensure.Dispose();
    }
}
