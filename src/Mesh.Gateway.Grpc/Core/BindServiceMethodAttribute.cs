namespace Grpc.Core;

/// <summary>Names the static method that binds a generated service base class's methods to a <see cref="ServiceBinderBase"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class BindServiceMethodAttribute : Attribute
{
    /// <summary>Creates the attribute.</summary>
    public BindServiceMethodAttribute(Type bindType, string bindMethodName)
    {
        BindType = bindType;
        BindMethodName = bindMethodName;
    }

    /// <summary>Gets the type that declares the bind method.</summary>
    public Type BindType { get; }

    /// <summary>Gets the name of the bind method: <c>static void BindService(ServiceBinderBase, TServiceBase)</c>.</summary>
    public string BindMethodName { get; }
}
