namespace Mesh.Gateway.Core.Composition.Schema;

/// <summary>A single value; <see cref="Type"/> says what it holds, for people (for example <c>integer</c>, <c>duration</c>).</summary>
public sealed record ConfigurationScalarNode(string Type) : ConfigurationNode;
