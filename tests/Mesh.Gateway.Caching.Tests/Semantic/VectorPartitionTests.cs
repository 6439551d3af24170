using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.Core.Tests.Fakes;

namespace Mesh.Gateway.Caching.Tests.Semantic;

public sealed class VectorPartitionTests
{
    private const int Dimensions = 384;

    [Fact]
    public void Search_AmongThousandsOfRandomVectors_FindsTheNearDuplicateAboveThresholdAndNothingForAStranger()
    {
        var random = new Random(7);
        var partition = new VectorPartition(Dimensions);
        var vectors = Enumerable.Range(0, 5000).Select(_ => RandomUnit(random)).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            partition.Add(vectors[i], "k" + i, "prompt " + i, long.MaxValue, i);
        }

        var nearDuplicate = Perturb(vectors[1234], random, 0.02f);
        var hit = partition.Search(nearDuplicate, 0.9f, now: 0);
        var stranger = partition.Search(RandomUnit(random), 0.9f, now: 0);

        Assert.Equal("k1234", hit?.Key);
        Assert.InRange(hit!.Value.Similarity, 0.9f, 1.01f);
        Assert.Null(stranger);
    }

    [Fact]
    public void Search_ExpiredVector_IsNotAHit()
    {
        var partition = new VectorPartition(Dimensions);
        var vector = RandomUnit(new Random(1));
        partition.Add(vector, "old", "old prompt", expiresAt: 10, sequence: 1);

        Assert.Equal("old", partition.Search(vector, 0.9f, now: 9)?.Key);
        Assert.Null(partition.Search(vector, 0.9f, now: 10));
    }

    [Fact]
    public void Search_SeveralAboveThreshold_ClosestFirstAtMostAsManyAsAsked()
    {
        var random = new Random(9);
        var partition = new VectorPartition(Dimensions);
        var query = RandomUnit(random);
        for (var i = 0; i < 2000; i++)
        {
            partition.Add(RandomUnit(random), "far" + i, "p", long.MaxValue, i);
        }

        partition.Add(Perturb(query, random, 0.08f), "third", "p", long.MaxValue, 2001);
        partition.Add(Perturb(query, random, 0.01f), "first", "p", long.MaxValue, 2002);
        partition.Add(Perturb(query, random, 0.04f), "second", "p", long.MaxValue, 2003);
        var two = new SemanticCandidate[2];
        var four = new SemanticCandidate[4];

        var foundTwo = partition.Search(query, 0.5f, 0, two);
        var foundFour = partition.Search(query, 0.5f, 0, four);

        Assert.Equal(["first", "second"], two.Take(foundTwo).Select(static c => c.EntryKey));
        Assert.Equal(["first", "second", "third"], four.Take(foundFour).Select(static c => c.EntryKey));
        Assert.True(four[0].Similarity > four[1].Similarity && four[1].Similarity > four[2].Similarity);
    }

    [Fact]
    public void SemanticIndex_BeyondItsByteBound_EvictsTheOldestVectorsFirst()
    {
        var random = new Random(3);
        var rowBytes = VectorPartition.RowBytes(Dimensions, "k0000", "p");
        var index = new SemanticIndex(Dimensions, maxBytes: rowBytes * 100, new FakeTimeProvider());
        var vectors = Enumerable.Range(0, 300).Select(_ => RandomUnit(random)).ToArray();
        for (var i = 0; i < vectors.Length; i++)
        {
            index.Add(i % 2 == 0 ? "even" : "odd", vectors[i], "k" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), "p", TimeSpan.FromHours(1));
        }

        Assert.InRange(index.Bytes, 1, rowBytes * 100);
        Assert.Null(index.Search("even", vectors[0], 0.99f));
        Assert.Equal("k0298", index.Search("even", vectors[298], 0.99f)?.EntryKey);
        Assert.Equal("k0299", index.Search("odd", vectors[299], 0.99f)?.EntryKey);
    }

    [Fact]
    public void SemanticIndex_Purge_RemovesOnlyThePrefixedPartitions()
    {
        var vector = RandomUnit(new Random(5));
        var index = new SemanticIndex(Dimensions, 1 << 20, new FakeTimeProvider());
        index.Add("s|acme:chat:x", vector, "a", "p", TimeSpan.FromHours(1));
        index.Add("s|other:chat:x", vector, "b", "p", TimeSpan.FromHours(1));

        Assert.Equal(1, index.Purge("s|acme:"));

        Assert.Null(index.Search("s|acme:chat:x", vector, 0.9f));
        Assert.Equal("b", index.Search("s|other:chat:x", vector, 0.9f)?.EntryKey);
    }

    [Fact]
    public void SemanticIndex_WithoutDimensions_TakesTheFirstVectorsLengthAndRefusesAnother()
    {
        var vector = RandomUnit(new Random(6));
        var index = new SemanticIndex(0, 1 << 20, new FakeTimeProvider());
        Assert.True(index.Fits(7));

        index.Add("s|acme:chat:x", vector, "a", "p", TimeSpan.FromHours(1));

        Assert.Equal(Dimensions, index.Dimensions);
        Assert.False(index.Fits(Dimensions + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Add("s|acme:chat:x", new float[Dimensions + 1], "b", "p", TimeSpan.FromHours(1)));
        Assert.Null(index.Search("s|acme:chat:x", new float[Dimensions + 1], 0.1f));
        Assert.Equal("a", index.Search("s|acme:chat:x", vector, 0.9f)?.EntryKey);
    }

    internal static float[] RandomUnit(Random random)
    {
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return Normalize(v);
    }

    private static float[] Perturb(float[] vector, Random random, float amount)
    {
        var v = vector.Select(x => x + (float)(((random.NextDouble() * 2) - 1) * amount)).ToArray();
        return Normalize(v);
    }

    private static float[] Normalize(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
