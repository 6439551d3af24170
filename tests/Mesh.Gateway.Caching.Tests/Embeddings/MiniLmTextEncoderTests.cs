using Mesh.Gateway.Embeddings;

namespace Mesh.Gateway.Caching.Tests.Embeddings;

public sealed class MiniLmTextEncoderTests
{
    private static readonly MiniLmTextEncoder Encoder = new();

    [Fact]
    public void Encode_Paraphrases_CloserThanUnrelatedQuestionsAndNormalized()
    {
        var pin = Encoder.Encode("How do I reset my card PIN?", TestContext.Current.CancellationToken);
        var paraphrase = Encoder.Encode("What is the way to change my card's PIN number?", TestContext.Current.CancellationToken);
        var other = Encoder.Encode("When will my parcel arrive?", TestContext.Current.CancellationToken);

        Assert.Equal(384, pin.Length);
        Assert.InRange(Dot(pin, pin), 0.999f, 1.001f);
        Assert.True(Dot(pin, paraphrase) > Dot(pin, other) + 0.3f);
    }

    [Fact]
    public void EncodeMany_ShortTextsInOneBatch_TheSameVectorsAsOneByOne()
    {
        string[] texts = ["enable", "disable roaming", "How do I reset my card PIN?"];

        var batch = Encoder.EncodeMany(texts, TestContext.Current.CancellationToken);

        Assert.Equal(texts.Length, batch.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.InRange(Dot(batch[i], Encoder.Encode(texts[i], TestContext.Current.CancellationToken)), 0.9999f, 1.0001f);
        }
    }

    [Fact]
    public void Encode_TextLongerThanTheModelSees_TailStillCounts()
    {
        var filler = string.Join(' ', Enumerable.Repeat("The weather report says it will be sunny and warm all week.", 40));
        var aboutPins = Encoder.Encode(filler + " How do I reset my card PIN? I forgot my PIN and the bank card is locked.", TestContext.Current.CancellationToken);
        var aboutParcels = Encoder.Encode(filler + " When will my parcel arrive? The delivery is late and tracking shows nothing.", TestContext.Current.CancellationToken);

        // Truncated at the model's 256 word pieces both would be the same filler; the last window keeps them apart.
        Assert.True(Dot(aboutPins, aboutParcels) < 0.99f);
        Assert.True(MiniLmTextEncoder.Windows(filler).Length > 1);
    }

    private static float Dot(float[] a, float[] b) => a.Zip(b).Sum(static p => p.First * p.Second);
}
