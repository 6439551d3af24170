using Grpc.Core;
using Grpc.Reflection.V1;
using Mesh.Gateway.Grpc.Internal.Server;

namespace Mesh.Gateway.Grpc.Internal.Reflection;

/// <summary>grpc.reflection.v1.ServerReflection over the services mapped with MapGrpcService.</summary>
internal sealed class ReflectionServiceV1(GrpcServiceRegistry registry) : ServerReflection.ServerReflectionBase
{
    public override async Task ServerReflectionInfo(IAsyncStreamReader<ServerReflectionRequest> requestStream, IServerStreamWriter<ServerReflectionResponse> responseStream, ServerCallContext context)
    {
        var index = new ReflectionIndex(registry.ServiceNames, registry.Descriptors);
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(Answer(index, request)).ConfigureAwait(false);
        }
    }

    internal static ServerReflectionResponse Answer(ReflectionIndex index, ServerReflectionRequest request)
    {
        var response = new ServerReflectionResponse { ValidHost = request.Host, OriginalRequest = request };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                var list = new ListServiceResponse();
                list.Service.AddRange(index.ServiceNames.Select(name => new ServiceResponse { Name = name }));
                response.ListServicesResponse = list;
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFiles(response, index.FileByFilename(request.FileByFilename), "File '" + request.FileByFilename + "'");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFiles(response, index.FileContainingSymbol(request.FileContainingSymbol), "Symbol '" + request.FileContainingSymbol + "'");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                SetFiles(response, index.FileContainingExtension(extension.ContainingType, extension.ExtensionNumber), $"Extension {extension.ExtensionNumber} of '{extension.ContainingType}'");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                var numbers = index.ExtensionNumbers(request.AllExtensionNumbersOfType);
                if (numbers is null)
                {
                    SetError(response, ReflectionIndex.NotFound("Type '" + request.AllExtensionNumbersOfType + "'"));
                }
                else
                {
                    var answer = new ExtensionNumberResponse { BaseTypeName = request.AllExtensionNumbersOfType };
                    answer.ExtensionNumber.AddRange(numbers);
                    response.AllExtensionNumbersResponse = answer;
                }

                break;
            default:
                SetError(response, new Status(StatusCode.Unimplemented, "Request type not supported."));
                break;
        }

        return response;
    }

    private static void SetFiles(ServerReflectionResponse response, IReadOnlyList<Google.Protobuf.ByteString>? files, string what)
    {
        if (files is null)
        {
            SetError(response, ReflectionIndex.NotFound(what));
            return;
        }

        var answer = new FileDescriptorResponse();
        answer.FileDescriptorProto.AddRange(files);
        response.FileDescriptorResponse = answer;
    }

    private static void SetError(ServerReflectionResponse response, Status status)
        => response.ErrorResponse = new ErrorResponse { ErrorCode = (int)status.StatusCode, ErrorMessage = status.Detail };
}
