namespace Mesh.Gateway.Sidecar.Configuration;

/// <summary>What a reload did.</summary>
internal enum ReloadResult
{
    /// <summary>A new version is in force.</summary>
    Applied,

    /// <summary>The file is the one in force.</summary>
    Unchanged,

    /// <summary>The file has errors; the running version stays in force.</summary>
    Rejected,

    /// <summary>The configuration is not from a file (embedded defaults or text); there is nothing to read again.</summary>
    NotFromAFile,
}
