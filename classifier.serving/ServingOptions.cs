using AncOrleans.Dsp.Classification;

namespace AncOrleans.Classifier.Serving;

/// <summary>
/// Section <c>Serving</c>: where the serving host listens and which model it serves. SageMaker's conventions are the
/// defaults: port 8080 on every interface (or the port in <c>SAGEMAKER_BIND_TO_PORT</c>, which SageMaker sets for a
/// container in an inference pipeline), and the model artifact unpacked under <c>/opt/ml/model</c>.
/// </summary>
public sealed class ServingOptions
{
    public const string Section = "Serving";

    /// <summary>The environment variable by which SageMaker tells a container which port to bind; it wins over <see cref="Port"/>.</summary>
    public const string SageMakerBindToPortVariable = "SAGEMAKER_BIND_TO_PORT";

    /// <summary>The model's file name inside <see cref="ModelDirectory"/> (what <c>anc train-classifier</c> writes).</summary>
    public const string ModelFileName = "noise-classifier.zip";

    /// <summary>The HTTP port (SageMaker's contract: 8080).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>The address to listen on: <c>0.0.0.0</c> (every IPv4 interface, as in a container) or e.g. <c>127.0.0.1</c>.</summary>
    public string ListenAddress { get; set; } = "0.0.0.0";

    /// <summary>A model file to serve; when set it wins, and it must exist.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Where SageMaker unpacks the model's <c>model.tar.gz</c>. Its <see cref="ModelFileName"/> is served when present;
    /// a missing or empty directory means the model shipped in the image (<see cref="NoiseClassifierModel.DefaultPath"/>).
    /// </summary>
    public string ModelDirectory { get; set; } = "/opt/ml/model";

    /// <summary>The largest <c>/invocations</c> body accepted (a feature vector as JSON is ≈ 4 KB); larger ones get 413.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary><c>SAGEMAKER_BIND_TO_PORT</c> as SageMaker set it, or null.</summary>
    public string? SageMakerBindToPort { get; set; }

    /// <summary>The port to bind: <see cref="SageMakerBindToPort"/> when set (the validator checks it), else <see cref="Port"/>.</summary>
    public int EffectivePort => int.TryParse(SageMakerBindToPort, out var port) ? port : Port;

    /// <summary>The model file to load and where it came from (for the log and <c>/ping</c>).</summary>
    public ModelSource ResolveModel()
    {
        if (!string.IsNullOrWhiteSpace(ModelPath))
            return new ModelSource(Path.GetFullPath(ModelPath), $"{Section}:ModelPath");
        var inDirectory = Path.Combine(ModelDirectory, ModelFileName);
        return File.Exists(inDirectory)
            ? new ModelSource(Path.GetFullPath(inDirectory), $"{Section}:ModelDirectory")
            : new ModelSource(NoiseClassifierModel.DefaultPath, "embedded");
    }
}

/// <summary>A model file and the setting that chose it: <c>Serving:ModelPath</c>, <c>Serving:ModelDirectory</c> or <c>embedded</c>.</summary>
public sealed record ModelSource(string Path, string ChosenBy);
