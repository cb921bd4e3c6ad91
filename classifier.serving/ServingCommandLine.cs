namespace AncOrleans.Classifier.Serving;

/// <summary>
/// SageMaker starts a hosting container as <c>docker run &lt;image&gt; serve</c>: the word <c>serve</c> reaches the
/// entry point as the first argument. This takes it off and leaves configuration arguments
/// (<c>--Serving:Port=8081</c>); <c>train</c> or any other bare word is refused, since this image only serves.
/// </summary>
public static class ServingCommandLine
{
    public const string Serve = "serve";

    /// <summary>The configuration arguments, or an error naming the argument refused.</summary>
    public static (string[] Arguments, string? Error) Parse(string[] args)
    {
        var rest = args.Length > 0 && args[0] == Serve ? args[1..] : args;
        if (rest.Length > 0 && !rest[0].StartsWith('-') && !rest[0].Contains('=', StringComparison.Ordinal))
            return ([], $"anc classifier serving: unknown command '{rest[0]}'. This image only serves: run it with no command or '{Serve}' "
                        + "(SageMaker's hosting); settings as --Serving:Port=8080 or environment variables Serving__Port=8080.");
        return (rest, null);
    }
}
