using System.Collections;
using System.ComponentModel;
using System.Reflection;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Gateway;
using AncOrleans.Grains.Sessions;
using AncOrleans.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting.Kubernetes;

namespace AncOrleans.Tests.Infra;

/// <summary>The two executables whose configuration a deployment sets.</summary>
internal enum App
{
    /// <summary>gateway/: ASP.NET Core co-hosting a silo (gateway.core + hosting + aws + grains).</summary>
    Gateway,

    /// <summary>silo/: the worker silo (hosting + aws + grains), a generic host without HTTP.</summary>
    Silo,
}

/// <summary>
/// The configuration keys an executable binds, found by reflection over its options types, so that a deployment's
/// environment can be checked key by key. The project's convention (hosting/ValidatedOptionsExtensions): every
/// options class declares <c>public const string Section</c>, and a validator of a framework options type (Orleans'
/// <c>ClusterMembershipOptions</c>, <c>ResourceOptimizedPlacementOptions</c>) declares the section it is bound to the
/// same way. Keys are <c>Section:Property[:Nested…]</c>; a collection element is <c>{index}</c>, a dictionary key <c>{any}</c>.
/// </summary>
internal sealed class ConfigurationKeys
{
    private readonly List<string[]> _patterns = [];
    private readonly Dictionary<string, string> _hostKeys = new(StringComparer.OrdinalIgnoreCase);

    private ConfigurationKeys()
    {
    }

    /// <summary>(section, options type) pairs of the app, as discovered.</summary>
    public List<(string Section, Type Type)> Sections { get; } = [];

    /// <summary>Every bindable key pattern, for messages.</summary>
    public IEnumerable<string> Patterns => _patterns.Select(p => string.Join(':', p));

    public static ConfigurationKeys For(App app)
    {
        var assemblies = new List<Assembly>
        {
            typeof(OrleansOptions).Assembly,          // AncOrleans.Hosting
            typeof(DynamoDbOptions).Assembly,         // AncOrleans.Aws
            typeof(SessionGrainOptions).Assembly,     // AncOrleans.Grains
        };
        if (app == App.Gateway) assemblies.Add(typeof(GatewayOptions).Assembly); // AncOrleans.Gateway.Core
        var keys = new ConfigurationKeys();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            var section = type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                ? field.GetRawConstantValue() as string
                : null;
            if (section is null) continue;
            var validated = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>));
            var options = validated?.GetGenericArguments()[0] ?? type;
            if (validated is null && !BindableProperties(options).Any()) continue;
            keys.Sections.Add((section, options));
            keys.AddKeys(section.Split(':'), options, depth: 0);
        }

        // Log levels: the host binds the Logging section (Logging:LogLevel:<category>) in both executables.
        keys._patterns.Add(["Logging", "LogLevel", "{any}"]);

        // Host-level keys, read by the host itself rather than by an options class.
        keys._hostKeys["DOTNET_ENVIRONMENT"] = "the host's environment name (Host.CreateApplicationBuilder, WebApplication)";
        if (app == App.Gateway)
        {
            keys._hostKeys["Urls"] = "Kestrel's listening URLs (the web host's 'urls' setting, as in gateway/appsettings.json)";
            keys._hostKeys["ASPNETCORE_URLS"] = "Kestrel's listening URLs (WebApplication reads ASPNETCORE_-prefixed variables; key 'urls')";
            keys._hostKeys["ASPNETCORE_ENVIRONMENT"] = "the web host's environment name";
        }

        // Orleans' Kubernetes hosting (hosting/AncKubernetesExtensions, Kubernetes:Enabled) reads these from the process
        // environment; the names are its own constants.
        foreach (var name in new[]
                 {
                     KubernetesHostingOptions.PodNameEnvironmentVariable, KubernetesHostingOptions.PodNamespaceEnvironmentVariable,
                     KubernetesHostingOptions.PodIPEnvironmentVariable, KubernetesHostingOptions.ServiceIdEnvironmentVariable,
                     KubernetesHostingOptions.ClusterIdEnvironmentVariable,
                 })
            keys._hostKeys[name] = "Orleans' Kubernetes hosting (Kubernetes:Enabled=true)";
        return keys;
    }

    /// <summary>Whether an environment variable name is a key the app binds (<c>A__B</c> is <c>A:B</c>).</summary>
    public bool Binds(string environmentVariable) => Explain(environmentVariable) is not null;

    /// <summary>What binds the variable, or null when nothing does.</summary>
    public string? Explain(string environmentVariable)
    {
        if (_hostKeys.TryGetValue(environmentVariable, out var host)) return host;
        var segments = environmentVariable.Split("__");
        foreach (var pattern in _patterns)
        {
            if (pattern.Length != segments.Length) continue;
            var match = true;
            for (var i = 0; i < pattern.Length && match; i++)
            {
                match = pattern[i] switch
                {
                    "{index}" => segments[i].Length > 0 && segments[i].All(char.IsAsciiDigit),
                    "{any}" => segments[i].Length > 0,
                    var literal => string.Equals(literal, segments[i], StringComparison.OrdinalIgnoreCase),
                };
            }
            if (match) return "options key " + string.Join(':', pattern);
        }
        return null;
    }

    private void AddKeys(string[] prefix, Type type, int depth)
    {
        foreach (var property in BindableProperties(type))
        {
            var key = prefix.Append(property.Name).ToArray();
            AddValue(key, property.PropertyType, depth);
        }
    }

    private void AddValue(string[] key, Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsLeaf(type))
        {
            _patterns.Add(key);
            return;
        }
        if (depth > 4) return;
        var dictionary = GenericInterface(type, typeof(IDictionary<,>)) ?? GenericInterface(type, typeof(IReadOnlyDictionary<,>));
        if (dictionary is not null)
        {
            AddValue([.. key, "{any}"], dictionary.GetGenericArguments()[1], depth + 1);
            return;
        }
        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type))
        {
            var element = type.IsArray ? type.GetElementType()! : GenericInterface(type, typeof(IEnumerable<>))?.GetGenericArguments()[0] ?? typeof(object);
            AddValue([.. key, "{index}"], element, depth + 1);
            return;
        }
        AddKeys(key, type, depth + 1);
    }

    private static IEnumerable<PropertyInfo> BindableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .Where(p => p.SetMethod is { IsPublic: true } || IsCollection(p.PropertyType));

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri)
        || (!IsCollection(type) && TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)) && type.GetProperties().Length == 0);

    private static Type? GenericInterface(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
}
