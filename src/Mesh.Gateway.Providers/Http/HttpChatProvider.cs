using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mesh.Gateway.Core.Chat;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Core.Providers;
using Mesh.Gateway.Providers.AwsEventStream;
using Mesh.Gateway.Providers.Sse;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Providers.Http;

/// <summary>
/// A provider reached over HTTP: a translator per request for the schema, an auth handler for credentials, and one
/// <see cref="HttpMessageInvoker"/> over a <see cref="SocketsHttpHandler"/> (connection pooling, connect timeout) per provider.
/// </summary>
/// <remarks>An <see cref="HttpMessageInvoker"/>, not an <see cref="HttpClient"/>: the client's base address, default headers and
/// timeout are not used here (each request carries its absolute URI, the timeouts are this class's own), and its
/// <c>SendAsync</c> adds an async layer and a linked cancellation source per call (docs/0024).</remarks>
internal sealed class HttpChatProvider : IChatProvider, IEmbeddingProvider, IDisposable
{
    private const int MaxBodyBytes = 32 * 1024 * 1024;
    private readonly Uri _baseUrl;
    private readonly Func<IChatTranslator> _chatTranslator;
    private readonly Func<IEmbeddingTranslator>? _embeddingTranslator;
    private readonly IProviderAuth _auth;
    private readonly HttpMessageInvoker _client;
    private readonly IReadOnlyDictionary<string, string> _headers;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // The last relative URI and its absolute Uri: a translator's path is the same on every call of a provider (only Azure's
    // and Gemini's name the deployment or model in it), and parsing a Uri per call showed in the profile.
    private CachedUri? _lastUri;

    public HttpChatProvider(
        string name,
        ProviderKind kind,
        Uri baseUrl,
        Func<IChatTranslator> chatTranslator,
        Func<IEmbeddingTranslator>? embeddingTranslator,
        IProviderAuth auth,
        ProviderOptions options,
        TimeProvider timeProvider,
        ILogger logger,
        HttpMessageHandler? handler = null)
    {
        Name = name;
        Kind = kind;
        _baseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _chatTranslator = chatTranslator;
        _embeddingTranslator = embeddingTranslator;
        _auth = auth;
        _headers = options.Headers;
        Features = options.Api == "responses" && kind is ProviderKind.OpenAI or ProviderKind.OpenAICompatible or ProviderKind.AzureOpenAI
            ? ChatProviderFeatures.StoredResponses | ChatProviderFeatures.BuiltInTools
            : ChatProviderFeatures.None;
        _requestTimeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs);
        _timeProvider = timeProvider;
        _logger = logger;
        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(options.ConnectTimeoutMs),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            EnableMultipleHttp2Connections = true,
            // A provider's API answers where it was asked. Following a redirect would resend the prompt to another host (and
            // costs a handler layer per call); a 3xx is reported as the provider's error instead.
            AllowAutoRedirect = false,
        };
        _client = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public string Name { get; }

    public ProviderKind Kind { get; }

    public ChatProviderFeatures Features { get; }

    public async ValueTask<ProviderResult<ChatResponse>> CompleteAsync(ChatRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        var translator = _chatTranslator();
        var upstream = translator.CreateRequest(request, target, stream: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        var (response, error) = await SendAsync(upstream, timeout.Token, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (response)
        {
            var (body, readError) = await ReadBodyAsync(response!, timeout.Token, cancellationToken).ConfigureAwait(false);
            if (readError is not null)
            {
                return readError;
            }

            using (body)
            {
                if (!response!.IsSuccessStatusCode)
                {
                    return UpstreamError(response, body.Span);
                }

                try
                {
                    return translator.ParseResponse(body.Span, Name);
                }
                catch (JsonException ex)
                {
                    return ProviderErrors.InvalidJson(Name, ex, body.Span);
                }
            }
        }
    }

    public async IAsyncEnumerable<ProviderStreamItem> StreamAsync(ChatRequest request, ProviderTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        var translator = _chatTranslator();
        var upstream = translator.CreateRequest(request, target, stream: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        var (response, error) = await SendAsync(upstream, timeout.Token, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            yield return ProviderStreamItem.FromError(error);
            yield break;
        }

        using (response)
        {
            if (!response!.IsSuccessStatusCode)
            {
                var (body, readError) = await ReadBodyAsync(response, timeout.Token, cancellationToken).ConfigureAwait(false);
                using (body)
                {
                    yield return ProviderStreamItem.FromError(readError ?? UpstreamError(response, body.Span));
                }

                yield break;
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var reader = new StreamEventSource(translator.Framing, stream, Name);
                using (reader)
                {
                    var chunks = new List<ChatChunk>(4);
                    while (true)
                    {
                        var (hasEvent, readError) = await reader.NextAsync(timeout.Token, cancellationToken).ConfigureAwait(false);
                        if (readError is not null)
                        {
                            yield return ProviderStreamItem.FromError(readError);
                            yield break;
                        }

                        if (!hasEvent)
                        {
                            break;
                        }

                        chunks.Clear();
                        var eventError = Translate(translator, reader, chunks);
                        foreach (var chunk in chunks)
                        {
                            yield return ProviderStreamItem.FromChunk(chunk);
                        }

                        if (eventError is not null)
                        {
                            Log.StreamError(_logger, Name, eventError.Kind, eventError.HttpStatus);
                            yield return ProviderStreamItem.FromError(eventError);
                            yield break;
                        }
                    }

                    if (!translator.IsComplete)
                    {
                        yield return ProviderStreamItem.FromError(new ProviderError
                        {
                            Kind = ProviderErrorKind.Connection,
                            Message = $"{Name}: the stream ended before the provider finished its response" + (reader.Problem is { } p ? $" ({p})" : string.Empty),
                            Provider = Name,
                            IsRetryable = true,
                        });
                    }
                }
            }
        }
    }

    public async ValueTask<ProviderResult<EmbeddingResponse>> EmbedAsync(EmbeddingRequest request, ProviderTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(target);
        if (_embeddingTranslator is null)
        {
            return ProviderError.Create(ProviderErrorKind.Unsupported, $"{Name}: this provider offers no embeddings") with { Provider = Name };
        }

        var translator = _embeddingTranslator();
        var upstream = translator.CreateRequest(request, target);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_requestTimeout);
        var (response, error) = await SendAsync(upstream, timeout.Token, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        using (response)
        {
            var (body, readError) = await ReadBodyAsync(response!, timeout.Token, cancellationToken).ConfigureAwait(false);
            if (readError is not null)
            {
                return readError;
            }

            using (body)
            {
                if (!response!.IsSuccessStatusCode)
                {
                    return UpstreamError(response, body.Span);
                }

                try
                {
                    return translator.ParseResponse(body.Span, Name, target.Model);
                }
                catch (JsonException ex)
                {
                    return ProviderErrors.InvalidJson(Name, ex, body.Span);
                }
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private ProviderError? Translate(IChatTranslator translator, StreamEventSource reader, List<ChatChunk> chunks)
    {
        var data = reader.Data.Span;
        try
        {
            return translator.TranslateEvent(reader.EventType, data, chunks);
        }
        catch (JsonException ex)
        {
            return ProviderErrors.InvalidJson(Name, ex, data);
        }
        catch (InvalidOperationException ex)
        {
            // Thrown by JsonElement accessors when a field has an unexpected JSON type.
            return ProviderErrors.Malformed(Name, "unexpected JSON shape in a stream event: " + ex.Message);
        }
    }

    private ProviderError UpstreamError(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var error = ProviderErrors.FromHttp(Name, (int)response.StatusCode, response.Headers, body, _timeProvider.GetUtcNow());
        Log.UpstreamFailed(_logger, Name, (int)response.StatusCode, error.Kind);
        return error;
    }

    private async ValueTask<(HttpResponseMessage? Response, ProviderError? Error)> SendAsync(ProviderHttpRequest upstream, CancellationToken token, CancellationToken callerToken)
    {
        // Sent exactly as the translator escaped it: Bedrock model ids carry ':' as %3A, which System.Uri would otherwise
        // unescape, and SigV4 signs the path as sent (escaped once more).
        var message = new HttpRequestMessage(HttpMethod.Post, AbsoluteUri(upstream.RelativeUri))
        {
            Content = new ByteArrayContent(upstream.Body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (key, value) in upstream.Headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(key, value);
        }

        foreach (var (key, value) in _headers)
        {
            message.Headers.TryAddWithoutValidation(key, value);
        }

        try
        {
            await _auth.ApplyAsync(message, upstream.Body, token).ConfigureAwait(false);
            // The invoker returns once the headers are read (as HttpClient's ResponseHeadersRead); the body is read by the caller.
            var response = await _client.SendAsync(message, token).ConfigureAwait(false);
            return (response, null);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            message.Dispose();
            return (null, new ProviderError { Kind = ProviderErrorKind.Timeout, Message = $"{Name}: no response within {_requestTimeout.TotalMilliseconds} ms", Provider = Name, IsRetryable = true });
        }
        catch (HttpRequestException ex)
        {
            message.Dispose();
            Log.ConnectFailed(_logger, Name, ex.HttpRequestError);
            return (null, new ProviderError { Kind = ProviderErrorKind.Connection, Message = $"{Name}: {ex.Message}", Provider = Name, IsRetryable = true });
        }
    }

    private Uri AbsoluteUri(string relative)
    {
        // One reference read and one write: concurrent calls see either entry whole (a Uri is immutable and shareable).
        if (Volatile.Read(ref _lastUri) is { } last && string.Equals(last.Relative, relative, StringComparison.Ordinal))
        {
            return last.Absolute;
        }

        var uri = new Uri(_baseUrl.AbsoluteUri + relative, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        Volatile.Write(ref _lastUri, new CachedUri(relative, uri));
        return uri;
    }

    private sealed record CachedUri(string Relative, Uri Absolute);

    /// <summary>The whole response body in one pooled buffer (sized from Content-Length when the provider sends it), returned
    /// to the pool when the caller disposes it: a unary answer is parsed once and never kept.</summary>
    private async ValueTask<(PooledBody Body, ProviderError? Error)> ReadBodyAsync(HttpResponseMessage response, CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var declared = response.Content.Headers.ContentLength;
                var body = new PooledBody(declared is > 0 and <= MaxBodyBytes ? (int)declared.Value + 1 : 16 * 1024);
                var kept = false;
                try
                {
                    int read;
                    while ((read = await stream.ReadAsync(body.FreeSpace(), token).ConfigureAwait(false)) > 0)
                    {
                        if (body.Length + read > MaxBodyBytes)
                        {
                            return (default, ProviderErrors.Malformed(Name, "the response body exceeds 32 MiB"));
                        }

                        body.Advance(read);
                    }

                    kept = true;
                    return (body, null);
                }
                finally
                {
                    if (!kept)
                    {
                        body.Dispose();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            return (default, new ProviderError { Kind = ProviderErrorKind.Timeout, Message = $"{Name}: the response did not complete within {_requestTimeout.TotalMilliseconds} ms", Provider = Name, IsRetryable = true });
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (default, new ProviderError { Kind = ProviderErrorKind.Connection, Message = $"{Name}: the connection broke while reading the response ({ex.Message})", Provider = Name, IsRetryable = true });
        }
    }
}
