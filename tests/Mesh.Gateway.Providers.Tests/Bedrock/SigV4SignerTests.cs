using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Gateway.Providers.Bedrock;
using Mesh.Gateway.Testing;

namespace Mesh.Gateway.Providers.Tests.Bedrock;

/// <summary>SigV4 against the AWS signing test suite (Fixtures/aws-sigv4/vectors.json).</summary>
public sealed class SigV4SignerTests
{
    private static readonly JsonNode Suite = JsonNode.Parse(File.ReadAllText(RecordedFixtures.PathOf("aws-sigv4/vectors.json")))!;

    public static TheoryData<string> VectorNames => [.. Suite["vectors"]!.AsArray().Select(v => (string)v!["name"]!)];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Sign_TestSuiteVector_CanonicalRequestStringToSignAndSignatureMatch(string name)
    {
        var v = Suite["vectors"]!.AsArray().Single(x => (string)x!["name"]! == name)!;
        static List<KeyValuePair<string, string>> Pairs(JsonNode n) => [.. n.AsArray().Select(p => new KeyValuePair<string, string>((string)p![0]!, (string)p[1]!))];

        var signature = SigV4Signer.Sign(
            (string)v["method"]!,
            (string)v["path"]!,
            Pairs(v["query"]!),
            Pairs(v["headers"]!),
            Encoding.UTF8.GetBytes((string)v["body"]!),
            (string)Suite["access_key_id"]!,
            (string)Suite["secret_access_key"]!,
            (string?)v["token"],
            (string)Suite["region"]!,
            (string)Suite["service"]!,
            DateTimeOffset.Parse((string)Suite["time"]!, CultureInfo.InvariantCulture),
            (bool)v["sign_body"]!);

        Assert.Equal((string)v["canonical"]!, signature.CanonicalRequest);
        Assert.Equal((string)v["string_to_sign_hash"]!, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signature.CanonicalRequest))));
        Assert.Equal((string)v["signature"]!, signature.Signature);
        var signedHeaders = ((string)v["canonical"]!).Split('\n')[^2];
        Assert.Equal($"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders={signedHeaders}, Signature={v["signature"]}", signature.Authorization);
    }

    [Fact]
    public void SigningKey_AwsDocumentationExample_Matches()
    {
        var key = SigV4Signer.SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");

        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", Convert.ToHexStringLower(key));
    }

    [Fact]
    public void CanonicalPath_BedrockModelIdWithColon_IsEscapedTwice()
    {
        var wire = "/model/" + Uri.EscapeDataString("us.anthropic.claude-sonnet-4-5-20250929-v1:0") + "/converse-stream";

        Assert.Equal("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream", wire);
        Assert.Equal("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%253A0/converse-stream", SigV4Signer.CanonicalPath(wire));
    }
}
