using System.Text;
using Envoy.Config.Core.V3;
using Envoy.Service.ExtProc.V3;
using Google.Protobuf;

namespace Mesh.Gateway.Envoy.Tests.Support;

/// <summary>Builds the messages Envoy sends (values in raw_value, as Envoy 1.28+ does).</summary>
internal static class Messages
{
    public static HeaderMap Headers(params (string Key, string Value)[] headers)
    {
        var map = new HeaderMap();
        foreach (var (k, v) in headers)
        {
            map.Headers.Add(new HeaderValue { Key = k, RawValue = ByteString.CopyFromUtf8(v) });
        }

        return map;
    }

    public static ProcessingRequest RequestHeaders(string path, bool endOfStream = false, params (string Key, string Value)[] extra) => new()
    {
        RequestHeaders = new HttpHeaders
        {
            Headers = Headers([(":method", "POST"), (":path", path), (":authority", "api.openai.com"), (":scheme", "https"), .. extra]),
            EndOfStream = endOfStream,
        },
        ProtocolConfig = new ProtocolConfiguration
        {
            RequestBodyMode = global::Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode.Buffered,
            ResponseBodyMode = global::Envoy.Extensions.Filters.Http.ExtProc.V3.ProcessingMode.Types.BodySendMode.Buffered,
        },
    };

    public static ProcessingRequest RequestBody(string json) => new()
    {
        RequestBody = new HttpBody { Body = ByteString.CopyFromUtf8(json), EndOfStream = true },
    };

    public static ProcessingRequest ResponseHeaders(int status, string contentType, params (string Key, string Value)[] extra) => new()
    {
        ResponseHeaders = new HttpHeaders { Headers = Headers([(":status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("content-type", contentType), .. extra]) },
    };

    public static ProcessingRequest ResponseBody(ReadOnlySpan<byte> chunk, bool endOfStream) => new()
    {
        ResponseBody = new HttpBody { Body = ByteString.CopyFrom(chunk), EndOfStream = endOfStream },
    };

    public static string Header(HeaderMutation mutation, string name) =>
        mutation.SetHeaders.Where(h => h.Header.Key == name).Select(h => Encoding.UTF8.GetString(h.Header.RawValue.Span)).Single();
}
