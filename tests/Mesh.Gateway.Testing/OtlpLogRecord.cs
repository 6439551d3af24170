namespace Mesh.Gateway.Testing;

/// <summary>One decoded OTLP log record.</summary>
/// <param name="Body">The body, when it is a string.</param>
/// <param name="Attributes">The record's attributes (string, bool, long, double or byte[] values).</param>
/// <param name="Resource">The resource's attributes (service.name, ...).</param>
public sealed record OtlpLogRecord(string? Body, IReadOnlyDictionary<string, object?> Attributes, IReadOnlyDictionary<string, object?> Resource);
