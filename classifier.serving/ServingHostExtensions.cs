using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace AncOrleans.Classifier.Serving;

/// <summary>The serving host's set-up: validated <see cref="ServingOptions"/>, the model and its loader, Kestrel's endpoint.</summary>
public static class ServingHostExtensions
{
    public static WebApplicationBuilder AddClassifierServing(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>();
        services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.Section)
            .PostConfigure<IConfiguration>((options, configuration) =>
                options.SageMakerBindToPort ??= configuration[ServingOptions.SageMakerBindToPortVariable] is { Length: > 0 } port ? port : null)
            .ValidateOnStart();
        services.AddSingleton<ServingModel>();
        services.AddHostedService<ServingModelLoader>();
        // One endpoint, from the validated options (Urls / ASPNETCORE_URLS are not used: SageMaker's port rules decide).
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServingOptions>>((kestrel, serving) =>
        {
            kestrel.Listen(IPAddress.Parse(serving.Value.ListenAddress), serving.Value.EffectivePort);
            kestrel.AddServerHeader = false;
        });
        services.AddProblemDetails();
        return builder;
    }
}
