namespace Mesh.Gateway.Tokenizers;

/// <summary>Which parts of a chat count rest on an estimate rather than a published or verified rule.</summary>
[Flags]
public enum ChatTokenApproximations
{
    /// <summary>Nothing: the count is exact.</summary>
    None = 0,

    /// <summary>The model is not OpenAI's: the whole count is an estimate by factor.</summary>
    OtherProvider = 1,

    /// <summary>An image's size was unknown; it was priced as 1024x1024.</summary>
    ImageSizeUnknown = 2,

    /// <summary>Input audio: 4 tokens per part plus 10 per second (not published by OpenAI).</summary>
    Audio = 4,

    /// <summary>A json_schema response format (OpenAI does not publish how it renders the schema).</summary>
    ResponseFormat = 8,

    /// <summary>Tool calls or tool results in the history (rendering not published for the tools API).</summary>
    ToolHistory = 16,

    /// <summary>A file part, whose contents are not counted.</summary>
    File = 32,

    /// <summary>A search-preview model, whose reported usage follows from one recording only.</summary>
    SearchModel = 64,
}
