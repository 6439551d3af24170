using Mesh.Gateway.Sidecar.Admin;
using Mesh.Gateway.Sidecar.Configuration;
using Mesh.Gateway.Sidecar.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Sidecar;

/// <summary>The composition root: builds the sidecar's <see cref="WebApplication"/> (Program.cs and the tests both use it).</summary>
internal static partial class GatewayHost
{
    /// <summary>Builds the sidecar without starting it.</summary>
    /// <exception cref="StartupException">The configuration names something wrong (the message says what).</exception>
    /// <exception cref="ConfigurationFileException">The configuration file cannot be read.</exception>
    public static WebApplication Build(SidecarStartOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(GatewayHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });

        // The one YAML file is the whole configuration: no appsettings.json, no ASPNETCORE_* or DOTNET_* keys.
        var reloadErrors = new ReloadErrorSink();
        builder.Configuration.Sources.Clear();
        if (options.ConfigPath is not null)
        {
            builder.Configuration.AddYamlFile(options.ConfigPath, options.ReloadOnChange, options.Environment, reloadErrors.Report);
        }
        else if (options.ConfigYaml is not null)
        {
            builder.Configuration.AddYamlText(options.ConfigYaml, "configuration", options.Environment);
        }
        else
        {
            // No file: serve model `mock` plus every provider whose credentials are in the environment.
            builder.Configuration.AddInMemoryCollection(Api.Inference.DefaultInferenceConfiguration.FromEnvironment(options.Environment));
        }

        // Every error in the file at once (unknown keys at any depth, values, every feature's validation), one per line.
        var (errors, _) = ConfigurationCheck.Run(
            builder.Configuration,
            [.. ((IConfigurationRoot)builder.Configuration).Providers.OfType<IYamlConfigurationProvider>().Select(static p => (p.SourceName, p.Document?.Root))],
            options);
        if (errors.Count > 0)
        {
            throw new StartupException(errors);
        }

        var settings = HostSettings.Load(builder.Configuration, options.GrpcAddress, options.AdminAddress, options.EnvoyAddress, options.HttpAddress);
        var grpc = GrpcSettings.Load(builder.Configuration);

        #region Host services

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new ConfigurationReloader(
            options,
            (IConfigurationRoot)builder.Configuration,
            settings,
            sp.GetRequiredService<Core.Composition.ConfigurationVersions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Gateway.Sidecar.Configuration")));
        builder.Services.AddSingleton<ReadinessState>();
        builder.Services.AddSingleton<SidecarListeners>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<DrainService>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = settings.ShutdownTimeout);
        var startup = new StartupPhase();
        ConfigureLogging(builder.Logging, settings, startup);
        ConfigureListeners(builder.WebHost, settings, grpc);

        #endregion

        #region gRPC layer

        // Interceptors for every service on both listeners, outermost first. The app door's caller interceptor is its services'
        // own (AddInferenceApi, AddGuardApi): the Envoy door's callers are read from the proxy's messages, not from metadata.
        builder.Services.AddSingleton<GrpcCallErrors.Interceptor>();
        builder.Services.AddGrpc(options =>
        {
            grpc.Apply(options);
            options.Interceptors.Add<GrpcCallErrors.Interceptor>();
        });
        builder.Services.AddMeshGrpcReflection();

        // grpc.health.v1 answers the service "" from readiness: NOT_SERVING before start and while draining. The package
        // completes open Watch calls (NOT_SERVING) when the application stops, so they do not hold the graceful shutdown.
        builder.Services.AddGrpcHealthChecks().AddCheck<ReadinessHealthCheck>("ready");

        #endregion

        #region Feature services

        try
        {
            SidecarFeatures.AddServices(builder.Services, builder.Configuration);
        }
        catch (InvalidOperationException ex)
        {
            // A section that cannot be bound at all (a word where a number belongs): the binder names the key, on several lines.
            throw new StartupException(OneLine(ex.Message), ex);
        }

        #endregion

        var app = builder.Build();

        // Every feature's options, validated now (the host does it again at start, but only after it has created its hosted
        // services, some of which read options): so a start reports every invalid section, not the first one touched.
        app.Services.GetService<IStartupValidator>()?.Validate();
        reloadErrors.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mesh.Gateway.Sidecar.Configuration");

        // From here on a changed file is taken only whole and checked (ConfigurationReloader), never key by key.
        app.Services.GetRequiredService<ConfigurationReloader>();

        app.UseGrpcMetadataLimit();
        app.UseRouting();
        app.UseListenerRouting();
        app.UseEnvoyCallerAuthentication(settings.EnvoySecret);
        app.UseGrpcRequestErrors();

        #region gRPC listener

        app.MapGrpcHealthChecksService();
        app.MapMeshGrpcReflection();
        SidecarFeatures.MapGrpcServices(app);

        #endregion

        #region Envoy listener

        if (settings.Envoy is not null)
        {
            SidecarFeatures.MapEnvoyServices(app.MapGroup(string.Empty).WithMetadata(EnvoyEndpointMetadata.Instance));
        }

        #endregion

        #region HTTP listener

        if (settings.Http is not null)
        {
            SidecarFeatures.MapHttpEndpoints(app.MapGroup(string.Empty).WithMetadata(HttpDoorEndpointMetadata.Instance));
        }

        #endregion

        #region Admin listener

        var admin = app.MapGroup(string.Empty).WithMetadata(AdminEndpointMetadata.Instance);
        admin.MapHealthEndpoints();
        admin.MapConfigurationEndpoints();
        SidecarFeatures.MapAdminEndpoints(admin);

        #endregion

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            startup.Completed = true;
            OpenEnvoySocketToGroup(settings);
            var listeners = app.Services.GetRequiredService<SidecarListeners>();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(ListenersCategory);
            Log.Listening(logger, listeners.GrpcEndPoint, listeners.AdminEndPoint);
            if (listeners.EnvoyEndPoint is { } envoy)
            {
                Log.ListeningEnvoy(logger, envoy, settings.EnvoySecret is null ? "socket file permissions" : "shared secret");
            }

            if (listeners.HttpEndPoint is { } http)
            {
                Log.ListeningHttp(logger, http);
            }
        });
        return app;
    }

    /// <summary>"Invalid x configuration:\nerror\nerror" as "Invalid x configuration: error; error".</summary>
    internal static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 && lines[0].EndsWith(':')
            ? lines[0] + " " + string.Join("; ", lines[1..])
            : string.Join("; ", lines);
    }

    /// <summary>The log category of the "Listening: ..." lines.</summary>
    internal const string ListenersCategory = "Mesh.Gateway.Sidecar.Listeners";

    /// <summary>Console logging at <see cref="HostSettings.LogLevel"/>.</summary>
    internal static void ConfigureLogging(ILoggingBuilder logging, HostSettings settings, StartupPhase startup)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(settings.LogLevel);

        // A failed start is reported once, as one line, by RunAsync; the host's own error log would repeat it with a stack trace.
        // The rule names its category: a rule matching every category replaces the minimum level for all of them (it did, and
        // Debug and Trace, where prompts may be logged, reached the console at any logging.level).
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => startup.Completed && level >= settings.LogLevel);

        // Where the sidecar listens is logged at any logging.level but none: with port 0 it is the only way to learn the port,
        // and the functional tests against the published executable read it (a quiet logging.level hid it from them).
        logging.AddFilter(ListenersCategory, level => level >= LogLevel.Information && settings.LogLevel != LogLevel.None);

        // ASP.NET Core logs every request at Information; keep its warnings and errors only.
        logging.AddFilter("Microsoft.AspNetCore", level => level >= LogLevel.Warning && level >= settings.LogLevel);

        // The hosting layer starts an Activity for every request whenever this category logs at any level, and HttpClient
        // then starts a child for every provider call to propagate it: about 10 KB allocated per Generate for spans nobody
        // exports. It logs only request start and finish (Information, dropped above). With telemetry configured, the
        // tracer's own listener still starts them.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        // Grpc.AspNetCore logs every failed call at Information or Debug; the services log what matters to an operator.
        logging.AddFilter("Grpc", level => level >= LogLevel.Warning && level >= settings.LogLevel);
        if (settings.JsonLogs)
        {
            // JSON lines carry the scopes (GrpcCallErrors.Interceptor: the call's method and id); the one-line text format stays as it was.
            logging.AddJsonConsole(json =>
            {
                // RFC 3339 (UTC, milliseconds): without a format the JSON lines carried no timestamp at all.
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
                json.IncludeScopes = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
    }

    /// <summary>Whether the host has started (until then the host's own error log is held back).</summary>
    internal sealed class StartupPhase
    {
        public bool Completed { get; set; }
    }

    private sealed class ReloadErrorSink
    {
        public ILogger? Logger { get; set; }

        public void Report(ConfigurationFileException error)
        {
            if (Logger is { } logger)
            {
                Log.ReloadRejected(logger, error.Message);
            }
        }
    }
}
