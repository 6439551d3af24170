using System.Diagnostics.CodeAnalysis;
using Mesh.Gateway.Core.Composition.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Core.Composition;

/// <summary>Options bound once from the configuration file and validated through the options system (<see cref="IValidateOptions{TOptions}"/>).</summary>
public static class MeshOptions
{
    private const DynamicallyAccessedMemberTypes SchemaMembers =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicFields;

    /// <summary>
    /// Registers <paramref name="bound"/> as the one <typeparamref name="TOptions"/>: <see cref="IOptions{TOptions}"/> returns it after every
    /// registered <see cref="IValidateOptions{TOptions}"/> passed, the host checks it at start (<c>ValidateOnStart</c>), and
    /// <typeparamref name="TOptions"/> itself resolves to the validated instance. <paramref name="bindErrors"/> (found while reading the
    /// section) are reported as validation failures too. Registering the same type again adds nothing.
    /// </summary>
    /// <remarks>A failure throws <see cref="OptionsValidationException"/> whose failures each name a key path (one line each).
    /// When <typeparamref name="TOptions"/> has a <c>SectionName</c> constant, its properties are that section's known keys
    /// (<see cref="ConfigurationNode.Of{T}"/>): any other key in the file stops the start; a feature whose section does not
    /// mirror its type declares the shape with <see cref="ConfigurationSchemaServiceCollectionExtensions.AddConfigurationSection"/>.</remarks>
    public static OptionsBuilder<TOptions> AddBoundOptions<[DynamicallyAccessedMembers(SchemaMembers)] TOptions>(this IServiceCollection services, TOptions bound, IReadOnlyList<string>? bindErrors = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(bound);
        if (!services.Any(static d => d.ServiceType == typeof(IOptionsFactory<TOptions>)))
        {
            services.AddSingleton<IOptionsFactory<TOptions>>(sp => new BoundOptionsFactory<TOptions>(bound, sp.GetServices<IValidateOptions<TOptions>>()));
            services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
            if (ConfigurationSchemaReflector.SectionNameOf(typeof(TOptions)) is { } section)
            {
                services.AddSingleton(new ConfigurationSectionSchema(section, ConfigurationNode.Of<TOptions>(), Declared: false));
            }

            if (bindErrors is { Count: > 0 })
            {
                services.AddSingleton<IValidateOptions<TOptions>>(new BindErrors<TOptions>(bindErrors));
            }
        }

        return services.AddOptions<TOptions>().ValidateOnStart();
    }

    /// <summary>Adds <typeparamref name="TValidator"/> unless it is already registered for <typeparamref name="TOptions"/>.</summary>
    public static IServiceCollection TryAddValidator<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(this IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return services;
    }

    /// <summary>The options system's result for a validator's list of errors (each naming its key path).</summary>
    public static ValidateOptionsResult Result(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Returns the instance bound from the file instead of creating one; validation runs as for any options.</summary>
    private sealed class BoundOptionsFactory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(TOptions bound, IEnumerable<IValidateOptions<TOptions>> validations)
        : OptionsFactory<TOptions>([], [], validations)
        where TOptions : class
    {
        protected override TOptions CreateInstance(string name) => bound;
    }

    private sealed class BindErrors<TOptions>(IReadOnlyList<string> errors) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) => ValidateOptionsResult.Fail(errors);
    }
}
