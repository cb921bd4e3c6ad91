using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AncOrleans.Classifier.Serving;

/// <summary>
/// SageMaker's container contract for a real-time endpoint: <c>GET /ping</c> answers 200 once the model is loaded (503
/// before), and <c>POST /invocations</c> classifies one window, <c>{"features":[…]}</c> in, <c>{"labels":[…],
/// "probabilities":[…]}</c> out, both <c>application/json</c> (what the gateway's SageMaker backend sends and accepts;
/// SageMaker passes the body, <c>Content-Type</c> and <c>Accept</c> through unchanged). Every refusal is a problem
/// document naming what was wrong: 400 (not JSON, no <c>features</c>, wrong length, non-finite), 406 (an
/// <c>Accept</c> that excludes JSON), 413 (over <c>Serving:MaxRequestBytes</c>), 415 (not <c>application/json</c>),
/// 503 (still loading). SageMaker turns a non-2xx answer into <c>ModelError</c> (424) for the caller, which the
/// backend does not retry.
/// </summary>
public static class ServingEndpoints
{
    public const string JsonMediaType = "application/json";

    // Web defaults (camelCase, case-insensitive names) but numbers must be JSON numbers, not strings.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };
    private static readonly MediaTypeHeaderValue Json = new(JsonMediaType);

    public static IEndpointRouteBuilder MapClassifierServing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ping", Ping);
        app.MapPost("/invocations", InvokeAsync);
        return app;
    }

    internal static Results<Ok<PingStatus>, ProblemHttpResult> Ping(ServingModel model) =>
        model.Source is { } source
            ? TypedResults.Ok(new PingStatus("ready", source.Path, source.ChosenBy))
            : Problem(StatusCodes.Status503ServiceUnavailable, "The model is still loading.");

    internal static async Task<Results<Ok<InvocationResponse>, ProblemHttpResult>> InvokeAsync(HttpContext context, ServingModel model,
        IOptions<ServingOptions> options)
    {
        if (!model.IsReady)
            return Problem(StatusCodes.Status503ServiceUnavailable, "The model is still loading; invoke again once /ping answers 200.");
        var request = context.Request;
        if (!(MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) && contentType.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase)))
            return Problem(StatusCodes.Status415UnsupportedMediaType, $"Content-Type must be {JsonMediaType}, not '{request.ContentType ?? "(none)"}'.");
        if (!AcceptsJson(request.Headers.Accept))
            return Problem(StatusCodes.Status406NotAcceptable, $"This model answers {JsonMediaType} only; Accept was '{request.Headers.Accept}'.");
        var limit = options.Value.MaxRequestBytes;
        if (request.ContentLength > limit)
            return TooLarge(limit);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit;

        InvocationRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<InvocationRequest>(request.Body, JsonOptions, context.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, $"The body is not a JSON object {{\"features\":[numbers]}}: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit);
        }
        if (body?.Features is not { } features)
            return Problem(StatusCodes.Status400BadRequest, "The body must be {\"features\":[numbers]}: \"features\" is missing or null.");
        try
        {
            return TypedResults.Ok(model.Predict(features));
        }
        catch (ArgumentException e)
        {
            return Problem(StatusCodes.Status400BadRequest, $"features: {e.Message}");
        }
    }

    /// <summary>No <c>Accept</c>, or one that admits <c>application/json</c> (<c>*/*</c>, <c>application/*</c>, …).</summary>
    private static bool AcceptsJson(Microsoft.Extensions.Primitives.StringValues accept) =>
        accept.Count == 0
        || (MediaTypeHeaderValue.TryParseList(accept, out var ranges) && ranges.Any(range => range.Quality is not 0 && Json.IsSubsetOf(range)));

    private static ProblemHttpResult TooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, $"The body is larger than Serving:MaxRequestBytes ({limit} bytes).");

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
