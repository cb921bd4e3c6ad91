using Orleans.Metadata;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Puts session grains in a named grain directory (the grain type's <c>directory-policy</c> property, what
/// <c>[GrainDirectory]</c> would set), chosen by configuration rather than fixed on the class: the local one-node
/// cluster keeps Orleans' default directory, a DynamoDB-clustered one uses <c>DynamoDbGrainDirectory</c>.
/// </summary>
internal sealed class SessionDirectoryProperty(string directory) : IGrainPropertiesProvider
{
    public void Populate(Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        if (grainClass == typeof(SessionGrain)) properties[WellKnownGrainTypeProperties.GrainDirectory] = directory;
    }
}
