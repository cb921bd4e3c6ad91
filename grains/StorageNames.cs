namespace AncOrleans.Grains;

/// <summary>The grain storage the grains declare (<c>[PersistentState(…, StorageNames.Sessions)]</c>) and the silo registers.</summary>
public static class StorageNames
{
    /// <summary>Session checkpoints and device shadows.</summary>
    public const string Sessions = "sessions";

    /// <summary>The grain directory of session grains on DynamoDB clustering (<c>Clustering:SessionDirectory</c>).</summary>
    public const string SessionDirectory = "sessions";
}
