using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Reflection;

/// <summary>Answers server-reflection questions from the file descriptors of the mapped services (shared by v1 and v1alpha).</summary>
internal sealed class ReflectionIndex
{
    private readonly Dictionary<string, FileDescriptor> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _symbols = new(StringComparer.Ordinal);
    private readonly List<FieldDescriptor> _extensions = [];

    public ReflectionIndex(IEnumerable<string> serviceNames, IEnumerable<ServiceDescriptor> services)
    {
        ServiceNames = [.. serviceNames];
        foreach (var service in services)
        {
            AddFile(service.File);
        }
    }

    public IReadOnlyList<string> ServiceNames { get; }

    /// <summary>The file with that name and its dependencies, or null.</summary>
    public IReadOnlyList<ByteString>? FileByFilename(string fileName)
        => _files.TryGetValue(fileName, out var file) ? WithDependencies(file) : null;

    /// <summary>The file defining that symbol (service, method, message, enum) and its dependencies, or null.</summary>
    public IReadOnlyList<ByteString>? FileContainingSymbol(string symbol)
        => _symbols.TryGetValue(symbol, out var file) ? WithDependencies(file) : null;

    /// <summary>The file defining extension <paramref name="number"/> of <paramref name="containingType"/>, or null.</summary>
    public IReadOnlyList<ByteString>? FileContainingExtension(string containingType, int number)
    {
        var extension = _extensions.FirstOrDefault(e => e.ExtendeeType.FullName == containingType && e.FieldNumber == number);
        return extension is null ? null : WithDependencies(extension.File);
    }

    /// <summary>The extension numbers known for a message type, or null when the type is unknown.</summary>
    public IReadOnlyList<int>? ExtensionNumbers(string typeName)
        => _symbols.ContainsKey(typeName)
            ? [.. _extensions.Where(e => e.ExtendeeType.FullName == typeName).Select(e => e.FieldNumber)]
            : null;

    public static Status NotFound(string what) => new(StatusCode.NotFound, what + " not found.");

    private void AddFile(FileDescriptor file)
    {
        if (!_files.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            _symbols.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                _symbols.TryAdd(method.FullName, file);
            }
        }

        foreach (var message in file.MessageTypes)
        {
            AddMessage(message, file);
        }

        foreach (var enumType in file.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }

        _extensions.AddRange(file.Extensions.UnorderedExtensions);
        foreach (var dependency in file.Dependencies)
        {
            AddFile(dependency);
        }
    }

    private void AddMessage(MessageDescriptor message, FileDescriptor file)
    {
        _symbols.TryAdd(message.FullName, file);
        foreach (var nested in message.NestedTypes)
        {
            AddMessage(nested, file);
        }

        foreach (var enumType in message.EnumTypes)
        {
            _symbols.TryAdd(enumType.FullName, file);
        }

        _extensions.AddRange(message.Extensions.UnorderedExtensions);
    }

    private static List<ByteString> WithDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ByteString>();
        var pending = new Stack<FileDescriptor>();
        pending.Push(file);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (!seen.Add(next.Name))
            {
                continue;
            }

            result.Add(next.SerializedData);
            foreach (var dependency in next.Dependencies)
            {
                pending.Push(dependency);
            }
        }

        return result;
    }
}
