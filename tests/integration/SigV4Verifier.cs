using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AncOrleans.Tests;

/// <summary>
/// AWS Signature Version 4 recomputed the way the service does it, from what arrived on the wire and written from
/// the published algorithm, not from the SDK: canonical request → string to sign → HMAC-SHA256 chain
/// (kDate = HMAC("AWS4" + secret, yyyymmdd), kRegion, kService, kSigning = HMAC(kService, "aws4_request")) →
/// hex(HMAC(kSigning, string to sign)). Checked against AWS's published IAM ListUsers example.
/// </summary>
internal static partial class SigV4Verifier
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>The parts of an <c>Authorization</c> header, or null when it does not have the SigV4 shape.</summary>
    public static SigV4Authorization? ParseAuthorization(string? header)
    {
        var match = AuthorizationPattern().Match(header ?? "");
        return match.Success
            ? new SigV4Authorization(match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value,
                match.Groups["service"].Value, match.Groups["headers"].Value.Split(';'), match.Groups["signature"].Value)
            : null;
    }

    /// <summary>
    /// The canonical request: method, canonical URI (each segment of the wire path URI-encoded once more, as for every
    /// service but S3), canonical query, "name:value" lines of the signed headers (lower-case names, trimmed values
    /// with inner runs of spaces collapsed), the signed header names, and the hex SHA-256 of the payload.
    /// </summary>
    public static string CanonicalRequest(string method, string wirePath, string canonicalQuery,
        IEnumerable<(string Name, string Value)> signedHeaders, string payloadHash)
    {
        var headers = signedHeaders.Select(h => (Name: h.Name.ToLowerInvariant(), Value: SpaceRuns().Replace(h.Value.Trim(), " ")))
            .OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var canonicalUri = string.Join('/', wirePath.Split('/').Select(Uri.EscapeDataString));
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in headers)
            builder.Append(name).Append(':').Append(value).Append('\n');
        builder.Append('\n').Append(string.Join(';', headers.Select(h => h.Name))).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    /// <summary>
    /// Why a request's SigV4 signature would be refused by the service, or null when it holds: the header's shape, the
    /// access key, the credential scope (date, region, service), <c>X-Amz-Date</c> within the 15 minutes AWS allows,
    /// <c>host</c> and <c>x-amz-date</c> signed, <c>X-Amz-Content-SHA256</c> (when sent) equal to the body's hash, and
    /// the signature recomputed from the request as it arrived.
    /// </summary>
    public static string? Problem(SageMakerStubRequest request, string accessKey, string secretKey, string region, string service)
    {
        var amzDate = request.Headers["X-Amz-Date"];
        if (amzDate is null || !DateTime.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var signedAt))
            return $"X-Amz-Date missing or malformed: '{amzDate}'";
        if (Math.Abs((DateTime.UtcNow - signedAt).TotalMinutes) > 15)
            return $"signed at {amzDate}, more than 15 minutes from now";
        if (ParseAuthorization(request.Headers["Authorization"]) is not { } authorization)
            return $"Authorization has not the SigV4 shape: '{request.Headers["Authorization"]}'";
        if (authorization.AccessKey != accessKey || authorization.Date != amzDate[..8] || authorization.Region != region || authorization.Service != service)
            return $"credential scope {authorization.AccessKey}/{authorization.Date}/{authorization.Region}/{authorization.Service} is not {accessKey}/{amzDate[..8]}/{region}/{service}";
        if (!authorization.SignedHeaders.Contains("host") || !authorization.SignedHeaders.Contains("x-amz-date"))
            return $"host and x-amz-date must be signed, signed: {string.Join(';', authorization.SignedHeaders)}";
        var payloadHash = Sha256Hex(request.Body);
        if (request.Headers["X-Amz-Content-Sha256"] is { } contentSha256 && contentSha256 != payloadHash)
            return "X-Amz-Content-SHA256 is not the body's hash";
        var missing = authorization.SignedHeaders.FirstOrDefault(name => request.Headers[name] is null);
        if (missing is not null)
            return $"signed header {missing} not sent";
        var canonical = CanonicalRequest(request.Method, request.RawUrl, "",
            authorization.SignedHeaders.Select(name => (name, request.Headers[name]!)), payloadHash);
        return Signature(secretKey, amzDate, region, service, canonical) == authorization.Signature
            ? null
            : "the signature does not match the request";
    }

    public static string StringToSign(string amzDate, string region, string service, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{amzDate[..8]}/{region}/{service}/aws4_request\n{Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest))}";

    public static byte[] SigningKey(string secretKey, string date, string region, string service)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    public static string Signature(string secretKey, string amzDate, string region, string service, string canonicalRequest) =>
        Convert.ToHexStringLower(Hmac(SigningKey(secretKey, amzDate[..8], region, service), StringToSign(amzDate, region, service, canonicalRequest)));

    public static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[^/,\s]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, SignedHeaders=(?<headers>[a-z0-9-]+(;[a-z0-9-]+)*), Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(" {2,}")]
    private static partial Regex SpaceRuns();
}

/// <summary>The parts of a SigV4 <c>Authorization</c> header.</summary>
internal sealed record SigV4Authorization(string AccessKey, string Date, string Region, string Service, string[] SignedHeaders, string Signature);
