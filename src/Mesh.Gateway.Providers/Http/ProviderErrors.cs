using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Core.Providers;

namespace Mesh.Gateway.Providers.Http;

/// <summary>Turns provider error bodies (OpenAI, Azure, Anthropic, Gemini, Bedrock shapes) and headers into <see cref="ProviderError"/> values.</summary>
internal static class ProviderErrors
{
    private const int MaxShownBody = 512;

    public static ProviderError FromHttp(string provider, int status, HttpResponseHeaders? headers, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var error = FromJson(provider, body, status) ?? new ProviderError
        {
            Kind = ProviderError.KindFromHttpStatus(status),
            Message = body.IsEmpty ? $"HTTP {status}" : Shorten(Encoding.UTF8.GetString(body)),
            HttpStatus = status,
            Provider = provider,
            IsRetryable = ProviderError.IsRetryableKind(ProviderError.KindFromHttpStatus(status)),
        };

        var retryAfter = RetryAfter(headers, now) ?? error.RetryAfter;
        var amznType = headers is not null && headers.TryGetValues("x-amzn-ErrorType", out var t) ? t.FirstOrDefault()?.Split(':')[0] : null;
        // Anthropic says outright whether a retry may help.
        var shouldRetry = headers is not null && headers.TryGetValues("x-should-retry", out var sr) ? sr.FirstOrDefault() : null;
        return error with
        {
            RetryAfter = retryAfter,
            ProviderErrorType = error.ProviderErrorType ?? amznType,
            IsRetryable = shouldRetry switch { "true" => true, "false" => false, _ => error.IsRetryable },
        };
    }

    /// <summary>Reads an error JSON body or stream event; null when it holds no recognisable error.</summary>
    public static ProviderError? FromJson(string provider, ReadOnlySpan<byte> body, int? httpStatus)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0]; // Gemini sometimes wraps errors in an array.
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var errorObject = root.TryGetProperty("error", out var e) ? e : default;
            string? message = null, type = null, code = null;
            int? numericCode = null;
            TimeSpan? retryDelay = null;
            if (errorObject.ValueKind == JsonValueKind.Object)
            {
                message = GetString(errorObject, "message");
                type = GetString(errorObject, "type") ?? GetString(errorObject, "status");
                if (errorObject.TryGetProperty("code", out var c))
                {
                    if (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n))
                    {
                        numericCode = n;
                    }
                    else if (c.ValueKind == JsonValueKind.String)
                    {
                        code = c.GetString();
                    }
                }

                if (errorObject.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object)
                {
                    code ??= GetString(inner, "code");
                }

                retryDelay = GeminiRetryDelay(errorObject);
            }
            else if (errorObject.ValueKind == JsonValueKind.String)
            {
                message = errorObject.GetString();
                type = GetString(root, "type");
            }
            else
            {
                message = GetString(root, "message") ?? GetString(root, "Message");
                type = GetString(root, "__type") ?? GetString(root, "type");
                if (message is null)
                {
                    return null;
                }
            }

            if (message is null && type is null)
            {
                return null;
            }

            var status = httpStatus ?? (numericCode is >= 400 and < 600 ? numericCode : null);
            var kind = Classify(status, type, code);
            return new ProviderError
            {
                Kind = kind,
                Message = message ?? type!,
                HttpStatus = httpStatus,
                ProviderErrorType = type,
                ProviderErrorCode = code ?? numericCode?.ToString(CultureInfo.InvariantCulture),
                RetryAfter = retryDelay,
                IsRetryable = ProviderError.IsRetryableKind(kind),
                Provider = provider,
            };
        }
    }

    public static ProviderErrorKind Classify(int? status, string? type, string? code)
    {
        var t = (type ?? string.Empty).ToLowerInvariant();
        var c = (code ?? string.Empty).ToLowerInvariant();
        if (c.Contains("content_filter", StringComparison.Ordinal) || c.Contains("responsibleaipolicyviolation", StringComparison.Ordinal)
            || t.Contains("content_filter", StringComparison.Ordinal))
        {
            return ProviderErrorKind.ContentFilter;
        }

        if (t.Contains("overloaded", StringComparison.Ordinal) || t is "serviceunavailableexception" or "unavailable")
        {
            return ProviderErrorKind.Overloaded;
        }

        if (t is "rate_limit_error" or "throttlingexception" or "resource_exhausted" || c is "rate_limit_exceeded")
        {
            return ProviderErrorKind.RateLimited;
        }

        if (t is "modeltimeoutexception" or "deadline_exceeded")
        {
            return ProviderErrorKind.Timeout;
        }

        if (status is { } s)
        {
            return ProviderError.KindFromHttpStatus(s);
        }

        return t switch
        {
            "invalid_request_error" or "validationexception" or "invalid_argument" => ProviderErrorKind.InvalidRequest,
            "authentication_error" or "permission_error" or "accessdeniedexception" or "unauthenticated" or "permission_denied" => ProviderErrorKind.Authentication,
            "not_found_error" or "resourcenotfoundexception" or "not_found" => ProviderErrorKind.NotFound,
            _ => ProviderErrorKind.Server,
        };
    }

    public static TimeSpan? RetryAfter(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        if (headers is null)
        {
            return null;
        }

        if (headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                var wait = date - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    private static TimeSpan? GeminiRetryDelay(JsonElement error)
    {
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var detail in details.EnumerateArray())
        {
            if (detail.ValueKind == JsonValueKind.Object && GetString(detail, "retryDelay") is { } delay && delay.EndsWith('s')
                && double.TryParse(delay.AsSpan(0, delay.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return null;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Shorten(string text) => text.Length <= MaxShownBody ? text : text[..MaxShownBody] + "…";

    public static ProviderError Malformed(string provider, string what) => new()
    {
        Kind = ProviderErrorKind.MalformedResponse,
        Message = $"{provider}: {what}",
        Provider = provider,
    };

    public static ProviderError InvalidJson(string provider, JsonException ex, ReadOnlySpan<byte> data)
    {
        var shown = data.Length > 120 ? Encoding.UTF8.GetString(data[..120]) + "…" : Encoding.UTF8.GetString(data);
        return Malformed(provider, $"the provider sent invalid JSON ({ex.Message.Split('.')[0]}): {shown}");
    }
}
