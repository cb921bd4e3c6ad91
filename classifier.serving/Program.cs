using AncOrleans.Classifier.Serving;
using Microsoft.Extensions.Options;

// The noise classifier behind a SageMaker real-time endpoint: GET /ping, POST /invocations on port 8080, the model from
// /opt/ml/model/noise-classifier.zip or the one shipped with the image (docs/classifier-sagemaker.md, "The serving host").
var (arguments, error) = ServingCommandLine.Parse(args);
if (error is not null)
{
    Console.Error.WriteLine(error);
    return 2;
}
// Content root beside the binaries, so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = arguments, ContentRootPath = AppContext.BaseDirectory });
builder.AddClassifierServing();
var app = builder.Build();
app.MapClassifierServing();
try
{
    await app.RunAsync();
}
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"anc classifier serving: {string.Join(" ", e.Failures)}");
    return 1;
}
return Environment.ExitCode;
