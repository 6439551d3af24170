using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Sidecar;

internal static partial class GatewayHost
{
    /// <summary>Runs the sidecar until SIGTERM or Ctrl+C, then drains; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        var (options, exitCode) = SidecarCommandLine.Parse(args, output, error, input);
        if (options is null)
        {
            return exitCode;
        }

        WebApplication? app = null;
        try
        {
            app = Build(options);
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (DescribeStartupError(ex, app) is { } message)
        {
            // One error per line, each prefixed, so a log collector keeps them apart and grep finds them.
            foreach (var line in message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await error.WriteLineAsync($"mesh-gateway: {line}").ConfigureAwait(false);
            }

            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            return 1;
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>What stopped the start (one error per line), or null for an exception that is a bug (shown in full).</summary>
    internal static string? DescribeStartupError(Exception exception, WebApplication? app)
    {
        switch (exception)
        {
            case StartupException or ConfigurationFileException:
                return exception.Message;
            case OptionsValidationException validation:
                return string.Join('\n', validation.Failures.SelectMany(ConfigurationCheck.Lines));
            case IOException { InnerException: AddressInUseException } io:
                return NameListener(io.Message.TrimEnd('.'), app);
            case IOException io when io.Message.StartsWith("Failed to bind", StringComparison.Ordinal):
                return NameListener(io.Message.TrimEnd('.') + (io.InnerException is { } inner ? ": " + inner.Message : string.Empty), app);
            case InvalidDataException { InnerException: ConfigurationFileException file }:
                return file.Message;
            case AggregateException { InnerExceptions.Count: 1 } aggregate:
                return DescribeStartupError(aggregate.InnerExceptions[0], app);
            case AggregateException aggregate when aggregate.InnerExceptions.All(static e => e is OptionsValidationException):
                // Several sections failed their validation at start: every failure, one per line.
                return string.Join('\n', aggregate.InnerExceptions.SelectMany(static e => ((OptionsValidationException)e).Failures).SelectMany(ConfigurationCheck.Lines));
            default:
                return null;
        }
    }

    private static string NameListener(string message, WebApplication? app)
    {
        var settings = app?.Services.GetService<HostSettings>();
        if (settings is null)
        {
            return message;
        }

        foreach (var (key, address) in new[] { ("listen.grpc", settings.Grpc), ("listen.admin", settings.Admin) })
        {
            var text = address.UnixPath ?? address.IPEndPoint!.ToString();
            if (message.Contains(text, StringComparison.OrdinalIgnoreCase))
            {
                return $"{key} ({address}): {message}";
            }
        }

        return message;
    }
}
