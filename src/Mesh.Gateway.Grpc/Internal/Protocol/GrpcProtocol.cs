using Grpc.Core;

namespace Mesh.Gateway.Grpc.Internal.Protocol;

/// <summary>Header names, values and small helpers of the gRPC over HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string TrailersValue = "trailers";
    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>grpc-dotnet's response-header key that asks the server to compress responses with the given algorithm.</summary>
    public const string InternalEncodingRequestHeader = "grpc-internal-encoding-request";

    public const int HeaderSize = 5;

    private static readonly string[] StatusStrings = CreateStatusStrings();

    public static string StatusToString(StatusCode code)
    {
        var i = (int)code;
        return (uint)i < (uint)StatusStrings.Length ? StatusStrings[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>True for <c>application/grpc</c>, <c>application/grpc+proto</c> and <c>application/grpc;...</c>.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        var rest = contentType.AsSpan(ContentType.Length);
        if (rest[0] == ';')
        {
            return true;
        }

        return rest[0] == '+' && (rest.Length == 6 ? rest.Equals("+proto", StringComparison.OrdinalIgnoreCase) : rest.StartsWith("+proto;", StringComparison.OrdinalIgnoreCase));
    }

    public static bool IsSupportedEncoding(string encoding)
        => string.Equals(encoding, GzipEncoding, StringComparison.Ordinal) || string.Equals(encoding, IdentityEncoding, StringComparison.Ordinal);

    /// <summary>True when a comma-separated grpc-accept-encoding value lists the encoding.</summary>
    public static bool AcceptsEncoding(string? acceptEncoding, string encoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        foreach (var range in acceptEncoding.AsSpan().Split(','))
        {
            if (acceptEncoding.AsSpan(range).Trim().Equals(encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string[] CreateStatusStrings()
    {
        var strings = new string[17];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return strings;
    }
}
