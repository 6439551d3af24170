using System.Buffers.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Converts between gRPC metadata and HTTP/2 header fields (base64 for <c>-bin</c> keys).</summary>
internal static class MetadataConverter
{
    /// <summary>Request headers that are protocol, not metadata (grpc-dotnet leaves the same ones out of RequestHeaders).</summary>
    public static bool IsReservedRequestHeader(string name) => name.Length == 0 || name[0] == ':' || name.ToLowerInvariant() switch
    {
        "grpc-encoding" or "grpc-accept-encoding" or "grpc-timeout" or "content-encoding" or "content-type" or "te" or "host" or "accept-encoding" => true,
        _ => false,
    };

    /// <summary>Response headers and trailers that are protocol, not metadata.</summary>
    public static bool IsReservedResponseHeader(string name) => name.Length == 0 || name[0] == ':' || name.ToLowerInvariant() switch
    {
        "grpc-status" or "grpc-message" or "grpc-encoding" or "grpc-accept-encoding" or "content-type" or "content-length" or "date" or "server" or "te" or "trailer" => true,
        _ => false,
    };

    public static Metadata FromRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers)
        {
            if (!IsReservedRequestHeader(header.Key))
            {
                Add(metadata, header.Key, header.Value);
            }
        }

        return metadata;
    }

    public static void Add(Metadata metadata, string name, StringValues values)
    {
        var key = name.ToLowerInvariant();
        foreach (var value in values)
        {
            Add(metadata, key, value);
        }
    }

    public static void Add(Metadata metadata, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        try
        {
            if (Metadata.IsBinaryKey(key))
            {
                // Duplicate names may be joined with ',': split -bin values before decoding.
                foreach (var range in value.AsSpan().Split(','))
                {
                    var bytes = DecodeBase64(value.AsSpan(range).Trim());
                    if (bytes is not null)
                    {
                        metadata.Add(key, bytes);
                    }
                }
            }
            else
            {
                metadata.Add(key, value);
            }
        }
        catch (ArgumentException)
        {
            // A header that is not valid metadata (odd name or non-ASCII value) is left out rather than failing the call.
        }
    }

    public static void AddToHeaders(IHeaderDictionary headers, Metadata.Entry entry)
    {
        var value = entry.IsBinary ? EncodeBase64(entry.RawBytes!) : entry.Value;
        headers.Append(entry.Key, value);
    }

    /// <summary>Unpadded base64, as the spec asks senders to emit.</summary>
    public static string EncodeBase64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Accepts padded and unpadded base64; null when invalid.</summary>
    public static byte[]? DecodeBase64(ReadOnlySpan<char> value)
    {
        var padding = (4 - (value.Length % 4)) % 4;
        if (padding == 3)
        {
            return null;
        }

        Span<char> padded = value.Length + padding <= 1024 ? stackalloc char[value.Length + padding] : new char[value.Length + padding];
        value.CopyTo(padded);
        padded[value.Length..].Fill('=');
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        return Convert.TryFromBase64Chars(padded, bytes, out var written) ? bytes.AsSpan(0, written).ToArray() : null;
    }
}
