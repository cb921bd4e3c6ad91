using Orleans.Serialization;
using Orleans.Storage;

namespace AncOrleans.Hosting;

/// <summary>
/// Grain state through Orleans' own binary serializer (the one grain calls use, and the DynamoDB provider's), for the
/// memory provider, whose default is Newtonsoft JSON: a session checkpoint is mostly float arrays (the filter, ~27 KB),
/// which JSON wrote as text on every checkpoint — most of a local session's allocations per second.
/// </summary>
public sealed class BinaryGrainStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())
        ?? throw new InvalidOperationException($"Stored {typeof(T).Name} deserialised to null.");
}
