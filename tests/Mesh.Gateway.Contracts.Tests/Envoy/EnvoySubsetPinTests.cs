using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.ExtProc.V3;
using Envoy.Service.Auth.V3;
using Envoy.Service.ExtProc.V3;
using Envoy.Type.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;

using Xunit;

namespace Mesh.Gateway.Contracts.Tests.Envoy;

/// <summary>
/// Pins every message, field number, type and oneof of the Envoy subset against Envoy's API
/// (written by hand from data-plane-api, see docs/ and the reference): a renumbered or retyped field breaks Envoy on the wire.
/// </summary>
public sealed class EnvoySubsetPinTests
{
    // "message.field = number : type [repeated|map] [oneof name]"; map<K,V> is written as map<K,V>.
    private static readonly string[] ExpectedFields =
    [
        // google.rpc
        "google.rpc.Status.code = 1 : int32",
        "google.rpc.Status.message = 2 : string",
        "google.rpc.Status.details = 3 : repeated google.protobuf.Any",
        // envoy.type.v3
        "envoy.type.v3.HttpStatus.code = 1 : envoy.type.v3.StatusCode",
        // envoy.config.core.v3 base
        "envoy.config.core.v3.Metadata.filter_metadata = 1 : map<string,google.protobuf.Struct>",
        "envoy.config.core.v3.Metadata.typed_filter_metadata = 2 : map<string,google.protobuf.Any>",
        "envoy.config.core.v3.QueryParameter.key = 1 : string",
        "envoy.config.core.v3.QueryParameter.value = 2 : string",
        "envoy.config.core.v3.HeaderValue.key = 1 : string",
        "envoy.config.core.v3.HeaderValue.value = 2 : string",
        "envoy.config.core.v3.HeaderValue.raw_value = 3 : bytes",
        "envoy.config.core.v3.HeaderValueOption.header = 1 : envoy.config.core.v3.HeaderValue",
        "envoy.config.core.v3.HeaderValueOption.append = 2 : google.protobuf.BoolValue",
        "envoy.config.core.v3.HeaderValueOption.append_action = 3 : envoy.config.core.v3.HeaderValueOption.HeaderAppendAction",
        "envoy.config.core.v3.HeaderValueOption.keep_empty_value = 4 : bool",
        "envoy.config.core.v3.HeaderMap.headers = 1 : repeated envoy.config.core.v3.HeaderValue",
        // envoy.config.core.v3 address
        "envoy.config.core.v3.Pipe.path = 1 : string",
        "envoy.config.core.v3.Pipe.mode = 2 : uint32",
        "envoy.config.core.v3.EnvoyInternalAddress.server_listener_name = 1 : string oneof address_name_specifier",
        "envoy.config.core.v3.EnvoyInternalAddress.endpoint_id = 2 : string",
        "envoy.config.core.v3.SocketAddress.protocol = 1 : envoy.config.core.v3.SocketAddress.Protocol",
        "envoy.config.core.v3.SocketAddress.address = 2 : string",
        "envoy.config.core.v3.SocketAddress.port_value = 3 : uint32 oneof port_specifier",
        "envoy.config.core.v3.SocketAddress.named_port = 4 : string oneof port_specifier",
        "envoy.config.core.v3.SocketAddress.resolver_name = 5 : string",
        "envoy.config.core.v3.SocketAddress.ipv4_compat = 6 : bool",
        "envoy.config.core.v3.SocketAddress.network_namespace_filepath = 7 : string",
        "envoy.config.core.v3.Address.socket_address = 1 : envoy.config.core.v3.SocketAddress oneof address",
        "envoy.config.core.v3.Address.pipe = 2 : envoy.config.core.v3.Pipe oneof address",
        "envoy.config.core.v3.Address.envoy_internal_address = 3 : envoy.config.core.v3.EnvoyInternalAddress oneof address",
        // envoy.service.auth.v3 attribute context
        "envoy.service.auth.v3.AttributeContext.source = 1 : envoy.service.auth.v3.AttributeContext.Peer",
        "envoy.service.auth.v3.AttributeContext.destination = 2 : envoy.service.auth.v3.AttributeContext.Peer",
        "envoy.service.auth.v3.AttributeContext.request = 4 : envoy.service.auth.v3.AttributeContext.Request",
        "envoy.service.auth.v3.AttributeContext.context_extensions = 10 : map<string,string>",
        "envoy.service.auth.v3.AttributeContext.metadata_context = 11 : envoy.config.core.v3.Metadata",
        "envoy.service.auth.v3.AttributeContext.tls_session = 12 : envoy.service.auth.v3.AttributeContext.TLSSession",
        "envoy.service.auth.v3.AttributeContext.route_metadata_context = 13 : envoy.config.core.v3.Metadata",
        "envoy.service.auth.v3.AttributeContext.Peer.address = 1 : envoy.config.core.v3.Address",
        "envoy.service.auth.v3.AttributeContext.Peer.service = 2 : string",
        "envoy.service.auth.v3.AttributeContext.Peer.labels = 3 : map<string,string>",
        "envoy.service.auth.v3.AttributeContext.Peer.principal = 4 : string",
        "envoy.service.auth.v3.AttributeContext.Peer.certificate = 5 : string",
        "envoy.service.auth.v3.AttributeContext.Request.time = 1 : google.protobuf.Timestamp",
        "envoy.service.auth.v3.AttributeContext.Request.http = 2 : envoy.service.auth.v3.AttributeContext.HttpRequest",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.id = 1 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.method = 2 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.headers = 3 : map<string,string>",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.path = 4 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.host = 5 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.scheme = 6 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.query = 7 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.fragment = 8 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.size = 9 : int64",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.protocol = 10 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.body = 11 : string",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.raw_body = 12 : bytes",
        "envoy.service.auth.v3.AttributeContext.HttpRequest.header_map = 13 : envoy.config.core.v3.HeaderMap",
        "envoy.service.auth.v3.AttributeContext.TLSSession.sni = 1 : string",
        // envoy.service.auth.v3 external auth
        "envoy.service.auth.v3.CheckRequest.attributes = 1 : envoy.service.auth.v3.AttributeContext",
        "envoy.service.auth.v3.DeniedHttpResponse.status = 1 : envoy.type.v3.HttpStatus",
        "envoy.service.auth.v3.DeniedHttpResponse.headers = 2 : repeated envoy.config.core.v3.HeaderValueOption",
        "envoy.service.auth.v3.DeniedHttpResponse.body = 3 : string",
        "envoy.service.auth.v3.OkHttpResponse.headers = 2 : repeated envoy.config.core.v3.HeaderValueOption",
        "envoy.service.auth.v3.OkHttpResponse.dynamic_metadata = 3 : google.protobuf.Struct",
        "envoy.service.auth.v3.OkHttpResponse.headers_to_remove = 5 : repeated string",
        "envoy.service.auth.v3.OkHttpResponse.response_headers_to_add = 6 : repeated envoy.config.core.v3.HeaderValueOption",
        "envoy.service.auth.v3.OkHttpResponse.query_parameters_to_set = 7 : repeated envoy.config.core.v3.QueryParameter",
        "envoy.service.auth.v3.OkHttpResponse.query_parameters_to_remove = 8 : repeated string",
        "envoy.service.auth.v3.CheckResponse.status = 1 : google.rpc.Status",
        "envoy.service.auth.v3.CheckResponse.denied_response = 2 : envoy.service.auth.v3.DeniedHttpResponse oneof http_response",
        "envoy.service.auth.v3.CheckResponse.ok_response = 3 : envoy.service.auth.v3.OkHttpResponse oneof http_response",
        "envoy.service.auth.v3.CheckResponse.dynamic_metadata = 4 : google.protobuf.Struct",
        "envoy.service.auth.v3.CheckResponse.error_response = 5 : envoy.service.auth.v3.DeniedHttpResponse oneof http_response",
        // envoy.extensions.filters.http.ext_proc.v3
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.request_header_mode = 1 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.HeaderSendMode",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.response_header_mode = 2 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.HeaderSendMode",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.request_body_mode = 3 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.response_body_mode = 4 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.request_trailer_mode = 5 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.HeaderSendMode",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.response_trailer_mode = 6 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.HeaderSendMode",
        // envoy.service.ext_proc.v3
        "envoy.service.ext_proc.v3.ProtocolConfiguration.request_body_mode = 1 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode",
        "envoy.service.ext_proc.v3.ProtocolConfiguration.response_body_mode = 2 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode",
        "envoy.service.ext_proc.v3.ProtocolConfiguration.send_body_without_waiting_for_header_response = 3 : bool",
        "envoy.service.ext_proc.v3.ProcessingRequest.request_headers = 2 : envoy.service.ext_proc.v3.HttpHeaders oneof request",
        "envoy.service.ext_proc.v3.ProcessingRequest.response_headers = 3 : envoy.service.ext_proc.v3.HttpHeaders oneof request",
        "envoy.service.ext_proc.v3.ProcessingRequest.request_body = 4 : envoy.service.ext_proc.v3.HttpBody oneof request",
        "envoy.service.ext_proc.v3.ProcessingRequest.response_body = 5 : envoy.service.ext_proc.v3.HttpBody oneof request",
        "envoy.service.ext_proc.v3.ProcessingRequest.request_trailers = 6 : envoy.service.ext_proc.v3.HttpTrailers oneof request",
        "envoy.service.ext_proc.v3.ProcessingRequest.response_trailers = 7 : envoy.service.ext_proc.v3.HttpTrailers oneof request",
        "envoy.service.ext_proc.v3.ProcessingRequest.metadata_context = 8 : envoy.config.core.v3.Metadata",
        "envoy.service.ext_proc.v3.ProcessingRequest.attributes = 9 : map<string,google.protobuf.Struct>",
        "envoy.service.ext_proc.v3.ProcessingRequest.observability_mode = 10 : bool",
        "envoy.service.ext_proc.v3.ProcessingRequest.protocol_config = 11 : envoy.service.ext_proc.v3.ProtocolConfiguration",
        "envoy.service.ext_proc.v3.ProcessingResponse.request_headers = 1 : envoy.service.ext_proc.v3.HeadersResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.response_headers = 2 : envoy.service.ext_proc.v3.HeadersResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.request_body = 3 : envoy.service.ext_proc.v3.BodyResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.response_body = 4 : envoy.service.ext_proc.v3.BodyResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.request_trailers = 5 : envoy.service.ext_proc.v3.TrailersResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.response_trailers = 6 : envoy.service.ext_proc.v3.TrailersResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.immediate_response = 7 : envoy.service.ext_proc.v3.ImmediateResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.dynamic_metadata = 8 : google.protobuf.Struct",
        "envoy.service.ext_proc.v3.ProcessingResponse.mode_override = 9 : envoy.extensions.filters.http.ext_proc.v3.ProcessingMode",
        "envoy.service.ext_proc.v3.ProcessingResponse.override_message_timeout = 10 : google.protobuf.Duration",
        "envoy.service.ext_proc.v3.ProcessingResponse.streamed_immediate_response = 11 : envoy.service.ext_proc.v3.StreamedImmediateResponse oneof response",
        "envoy.service.ext_proc.v3.ProcessingResponse.request_drain = 12 : bool",
        "envoy.service.ext_proc.v3.HttpHeaders.headers = 1 : envoy.config.core.v3.HeaderMap",
        "envoy.service.ext_proc.v3.HttpHeaders.attributes = 2 : map<string,google.protobuf.Struct>",
        "envoy.service.ext_proc.v3.HttpHeaders.end_of_stream = 3 : bool",
        "envoy.service.ext_proc.v3.HttpBody.body = 1 : bytes",
        "envoy.service.ext_proc.v3.HttpBody.end_of_stream = 2 : bool",
        "envoy.service.ext_proc.v3.HttpBody.end_of_stream_without_message = 3 : bool",
        "envoy.service.ext_proc.v3.HttpBody.grpc_message_compressed = 4 : bool",
        "envoy.service.ext_proc.v3.HttpTrailers.trailers = 1 : envoy.config.core.v3.HeaderMap",
        "envoy.service.ext_proc.v3.HeadersResponse.response = 1 : envoy.service.ext_proc.v3.CommonResponse",
        "envoy.service.ext_proc.v3.TrailersResponse.header_mutation = 1 : envoy.service.ext_proc.v3.HeaderMutation",
        "envoy.service.ext_proc.v3.BodyResponse.response = 1 : envoy.service.ext_proc.v3.CommonResponse",
        "envoy.service.ext_proc.v3.StreamedImmediateResponse.headers_response = 1 : envoy.service.ext_proc.v3.HttpHeaders oneof response",
        "envoy.service.ext_proc.v3.StreamedImmediateResponse.body_response = 2 : envoy.service.ext_proc.v3.StreamedBodyResponse oneof response",
        "envoy.service.ext_proc.v3.StreamedImmediateResponse.trailers_response = 3 : envoy.config.core.v3.HeaderMap oneof response",
        "envoy.service.ext_proc.v3.CommonResponse.status = 1 : envoy.service.ext_proc.v3.CommonResponse.ResponseStatus",
        "envoy.service.ext_proc.v3.CommonResponse.header_mutation = 2 : envoy.service.ext_proc.v3.HeaderMutation",
        "envoy.service.ext_proc.v3.CommonResponse.body_mutation = 3 : envoy.service.ext_proc.v3.BodyMutation",
        "envoy.service.ext_proc.v3.CommonResponse.trailers = 4 : envoy.config.core.v3.HeaderMap",
        "envoy.service.ext_proc.v3.CommonResponse.clear_route_cache = 5 : bool",
        "envoy.service.ext_proc.v3.ImmediateResponse.status = 1 : envoy.type.v3.HttpStatus",
        "envoy.service.ext_proc.v3.ImmediateResponse.headers = 2 : envoy.service.ext_proc.v3.HeaderMutation",
        "envoy.service.ext_proc.v3.ImmediateResponse.body = 3 : bytes",
        "envoy.service.ext_proc.v3.ImmediateResponse.grpc_status = 4 : envoy.service.ext_proc.v3.GrpcStatus",
        "envoy.service.ext_proc.v3.ImmediateResponse.details = 5 : string",
        "envoy.service.ext_proc.v3.GrpcStatus.status = 1 : uint32",
        "envoy.service.ext_proc.v3.HeaderMutation.set_headers = 1 : repeated envoy.config.core.v3.HeaderValueOption",
        "envoy.service.ext_proc.v3.HeaderMutation.remove_headers = 2 : repeated string",
        "envoy.service.ext_proc.v3.StreamedBodyResponse.body = 1 : bytes",
        "envoy.service.ext_proc.v3.StreamedBodyResponse.end_of_stream = 2 : bool",
        "envoy.service.ext_proc.v3.StreamedBodyResponse.end_of_stream_without_message = 3 : bool",
        "envoy.service.ext_proc.v3.StreamedBodyResponse.grpc_message_compressed = 4 : bool",
        "envoy.service.ext_proc.v3.BodyMutation.body = 1 : bytes oneof mutation",
        // Envoy's name is clear_body (reference 6.3); only the name differs, not the number or type.
        "envoy.service.ext_proc.v3.BodyMutation.clear_body_flag = 2 : bool oneof mutation",
        "envoy.service.ext_proc.v3.BodyMutation.streamed_response = 3 : envoy.service.ext_proc.v3.StreamedBodyResponse oneof mutation",
    ];

    private static readonly string[] ExpectedEnumValues =
    [
        "envoy.config.core.v3.HeaderValueOption.HeaderAppendAction: APPEND_IF_EXISTS_OR_ADD=0 ADD_IF_ABSENT=1 OVERWRITE_IF_EXISTS_OR_ADD=2 OVERWRITE_IF_EXISTS=3",
        "envoy.config.core.v3.SocketAddress.Protocol: TCP=0 UDP=1",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.HeaderSendMode: DEFAULT=0 SEND=1 SKIP=2",
        "envoy.extensions.filters.http.ext_proc.v3.ProcessingMode.BodySendMode: NONE=0 STREAMED=1 BUFFERED=2 BUFFERED_PARTIAL=3 FULL_DUPLEX_STREAMED=4 GRPC=5",
        "envoy.service.ext_proc.v3.CommonResponse.ResponseStatus: CONTINUE=0 CONTINUE_AND_REPLACE=1",
    ];

    private static readonly FileDescriptor[] Files =
    [
        Google.Rpc.StatusReflection.Descriptor,
        HttpStatusReflection.Descriptor,
        BaseReflection.Descriptor,
        AddressReflection.Descriptor,
        AttributeContextReflection.Descriptor,
        ExternalAuthReflection.Descriptor,
        ProcessingModeReflection.Descriptor,
        ExternalProcessorReflection.Descriptor,
    ];

    [Fact]
    public void Fields_EveryMessageOfTheSubset_MatchEnvoyNumbersAndTypes()
    {
        var actual = Files.SelectMany(f => f.MessageTypes).SelectMany(AllMessages)
            .Where(m => !m.GetOptions()?.MapEntry ?? true)
            .SelectMany(m => m.Fields.InDeclarationOrder().Select(Describe))
            .Order(StringComparer.Ordinal).ToArray();

        var missing = ExpectedFields.Except(actual).ToArray();
        var extra = actual.Except(ExpectedFields).ToArray();
        Assert.True(missing.Length == 0 && extra.Length == 0,
            $"missing:\n{string.Join('\n', missing)}\nunexpected:\n{string.Join('\n', extra)}");
    }

    [Fact]
    public void Enums_ValuesOfTheSubset_MatchEnvoyNumbers()
    {
        var actual = Files.SelectMany(f => f.MessageTypes).SelectMany(AllMessages).SelectMany(m => m.EnumTypes)
            .Select(e => $"{e.FullName}: {string.Join(' ', e.Values.Select(v => $"{v.Name}={v.Number}"))}")
            .ToArray();
        foreach (var expected in ExpectedEnumValues)
        {
            Assert.Contains(expected, actual);
        }
    }

    [Theory]
    [InlineData(StatusCode.Ok, 200)]
    [InlineData(StatusCode.BadRequest, 400)]
    [InlineData(StatusCode.Unauthorized, 401)]
    [InlineData(StatusCode.Forbidden, 403)]
    [InlineData(StatusCode.NotFound, 404)]
    [InlineData(StatusCode.PayloadTooLarge, 413)]
    [InlineData(StatusCode.TooManyRequests, 429)]
    [InlineData(StatusCode.InternalServerError, 500)]
    [InlineData(StatusCode.ServiceUnavailable, 503)]
    [InlineData(StatusCode.GatewayTimeout, 504)]
    public void StatusCode_Value_EqualsHttpCode(StatusCode code, int http) => Assert.Equal(http, (int)code);

    [Fact]
    public void Services_FullNamesAndMethods_MatchEnvoyPaths()
    {
        var auth = ExternalAuthReflection.Descriptor.Services.Single();
        var check = auth.FindMethodByName("Check");
        Assert.Equal("envoy.service.auth.v3.Authorization", auth.FullName);
        Assert.False(check.IsClientStreaming || check.IsServerStreaming);
        Assert.Equal(CheckRequest.Descriptor, check.InputType);
        Assert.Equal(CheckResponse.Descriptor, check.OutputType);

        var proc = ExternalProcessorReflection.Descriptor.Services.Single();
        var process = proc.FindMethodByName("Process");
        Assert.Equal("envoy.service.ext_proc.v3.ExternalProcessor", proc.FullName);
        Assert.True(process.IsClientStreaming && process.IsServerStreaming);
        Assert.Equal(ProcessingRequest.Descriptor, process.InputType);
        Assert.Equal(ProcessingResponse.Descriptor, process.OutputType);
    }

    [Fact]
    public void ClearBodyFlag_Encoding_IsEnvoyClearBodyField2()
    {
        var bytes = new BodyMutation { ClearBodyFlag = true }.ToByteArray();
        // Tag (2 << 3 | varint) = 0x10, value 1: what Envoy's clear_body = true encodes to.
        Assert.Equal(new byte[] { 0x10, 0x01 }, bytes);
    }

    [Fact]
    public void Append_SetToFalse_EncodesPresentEmptyWrapper()
    {
        // Portable ext_authz rule: Append = false must reach Envoy as a present BoolValue (has_append() true).
#pragma warning disable CS0612 // append is deprecated in Envoy's API, and still the one field every Envoy version reads.
        var bytes = new HeaderValueOption { Append = false }.ToByteArray();
#pragma warning restore CS0612
        Assert.Equal(new byte[] { 0x12, 0x00 }, bytes);
    }

    private static IEnumerable<MessageDescriptor> AllMessages(MessageDescriptor m) =>
        new[] { m }.Concat(m.NestedTypes.SelectMany(AllMessages));

    private static string Describe(FieldDescriptor f)
    {
        string type;
        if (f.IsMap)
        {
            var entry = f.MessageType;
            type = $"map<{TypeName(entry.FindFieldByNumber(1))},{TypeName(entry.FindFieldByNumber(2))}>";
        }
        else
        {
            type = (f.IsRepeated ? "repeated " : string.Empty) + TypeName(f);
        }

        var oneof = f.RealContainingOneof is { } o ? $" oneof {o.Name}" : string.Empty;
        return $"{f.ContainingType.FullName}.{f.Name} = {f.FieldNumber} : {type}{oneof}";
    }

    private static string TypeName(FieldDescriptor f) => f.FieldType switch
    {
        FieldType.Message or FieldType.Group => f.MessageType.FullName,
        FieldType.Enum => f.EnumType.FullName,
        _ => f.FieldType.ToString().ToLowerInvariant(),
    };
}
