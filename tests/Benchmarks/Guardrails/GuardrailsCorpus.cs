using System.Text;

namespace Mesh.Gateway.Benchmarks.Guardrails;

/// <summary>The two inputs of the guardrail throughput runs: clean English prose, and prose dense with PII (about one value per 60 characters).</summary>
internal static class GuardrailsCorpus
{
    private static readonly string[] Prose =
    [
        "The committee met on Tuesday to review the quarterly results and to discuss the plan for the coming year. ",
        "Most of the growth came from the new product line, which sold better than anyone had expected in the spring. ",
        "Several members asked whether the budget for research could be raised without delaying the hiring of new staff. ",
        "After a long discussion the chair proposed a compromise, and the motion passed with a clear majority of the votes. ",
        "The minutes will be circulated next week, together with the revised schedule and the list of open questions. ",
    ];

    private static readonly string[] Pii =
    [
        "Contact jane.doe@example.com today. ", "Card 4111 1111 1111 1111 on file. ", "Call (415) 555-0132 after six. ",
        "IBAN DE89 3704 0044 0532 0130 00 please. ", "Server at 192.168.10.24 is down. ", "SSN 078-05-1123 was given. ",
        "Key AKIAIOSFODNN7EXAMPLE leaked. ", "See https://example.org/path?q=1 now. ",
    ];

    internal static string CleanProse(int size) => Build(size, Prose);

    internal static string PiiDense(int size) => Build(size, Pii);

    private static string Build(int size, string[] pieces)
    {
        var sb = new StringBuilder(size + 200);
        int k = 0;
        while (sb.Length < size)
        {
            sb.Append(pieces[k++ % pieces.Length]);
        }

        return sb.ToString(0, size);
    }
}
