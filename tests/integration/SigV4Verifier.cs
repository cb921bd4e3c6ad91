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
