using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Caching.Semantic;
using Mesh.Gateway.CacheQuality;
using Mesh.Gateway.CacheQuality.Learning;
using Mesh.Gateway.Core.Embeddings;
using Mesh.Gateway.Embeddings;

// Regenerates docs/cache-quality.md: false hits and hit rate of the semantic cache per threshold, tuned on banking77's
// training split, reported on its test split, CLINC150 (in scope and out of scope), hard negatives and Korean pairs.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args is ["bench", ..])
{
    Console.WriteLine(CacheLatency.Run(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1));
    return 0;
}

var root = FindRoot();
var data = Path.Combine(root, "tests/Benchmarks/CacheQuality/data");
var perIntentCached = IntArg("--cached", 4);
var perIntentAsked = IntArg("--asked", 4);
// A fuller cache, as one that has served an intent's traffic for a while: 20 questions an intent cached, the next 10 asked.
const int DenseCached = 20;
const int DenseAsked = 10;
var perIntentCachedDefault = perIntentCached;
var perIntentAskedDefault = perIntentAsked;
// `--encoder arctic-xs` measures another encoder: its layer, verifier and report go under obj/arctic-xs, never to the
// shipped files or docs/.
var encoderName = StringArg("--encoder", "minilm");
ITextEncoder encoder = encoderName switch
{
    "minilm" => new MiniLmTextEncoder(),
    "arctic-xs" => new ArcticXsTextEncoder(),
    _ => throw new ArgumentException("unknown encoder " + encoderName),
};
var outDir = encoderName == "minilm" ? null : Path.Combine(root, "tests/Benchmarks/CacheQuality/obj", encoderName);
if (outDir is not null)
{
    Directory.CreateDirectory(outDir);
}

var clock = Stopwatch.StartNew();
var memo = new EmbeddingMemo(encoder, Path.Combine(root, "tests/Benchmarks/CacheQuality/obj/embeddings.bin"));

var bankTrain = IntentSet(Csv(Path.Combine(data, "banking77/train.csv")));
var bankTest = IntentSet(Csv(Path.Combine(data, "banking77/test.csv")));
var clinc = JsonDocument.Parse(File.ReadAllText(Path.Combine(data, "clinc150/test_and_oos_test.json"))).RootElement;
var clincSet = IntentSet(clinc.GetProperty("test").EnumerateArray().Select(static e => (e[0].GetString()!, e[1].GetString()!)));
var oos = clinc.GetProperty("oos_test").EnumerateArray().Select(static e => e[0].GetString()!).Take(300).ToList();

// The learned layer: trained on banking77 train without the first 8 questions of each intent, which stay for tuning the
// threshold (the report's "banking77 train" column), so neither the tuning nor any reported set was trained on.
var projectionPath = outDir is null ? Path.Combine(root, "src/Mesh.Gateway.Caching/Semantic/cache-projection.bin") : Path.Combine(outDir, "cache-projection.bin");
CacheProjection projection;
if (args is ["train", ..])
{
    var settings = new ProjectionTrainer.Settings();
    for (var i = 1; i + 1 < args.Length; i += 2)
    {
        settings = args[i] switch
        {
            "--outputs" => settings with { Outputs = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--steps" => settings with { Steps = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--pull" => settings with { Pull = float.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--loss" => settings with { Contrastive = args[i + 1] == "infonce" },
            "--margin" => settings with { Margin = float.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--scale" => settings with { Scale = float.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--rate" => settings with { LearningRate = float.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--batch" => settings with { Batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
            "--encoder" => settings,
            _ => throw new ArgumentException("unknown option " + args[i]),
        };
    }

    var training = bankTrain.Values.Select(texts => (IReadOnlyList<float[]>)[.. texts.Skip(perIntentCached + perIntentAsked).Select(memo.Get)]).ToList();
    memo.Save();
    Console.Error.WriteLine($"training {settings} on {training.Sum(static t => t.Count)} questions of {training.Count} intents");
    var weights = ProjectionTrainer.Train(training, encoder.Dimensions, settings, Console.Error.WriteLine);
    using (var file = File.Create(projectionPath))
    {
        CacheProjection.Write(file, encoder.Dimensions, settings.Outputs, weights);
    }

    projection = new CacheProjection(encoder.Dimensions, settings.Outputs, weights);
}
else
{
    projection = outDir is null ? CacheProjection.Shipped : CacheProjection.Read(File.OpenRead(projectionPath));
}

var projected = new Dictionary<string, float[]>(StringComparer.Ordinal);
float[] Raw(string text) => memo.Get(text);
float[] Encode(string text)
{
    if (!projected.TryGetValue(text, out var v))
    {
        projected[text] = v = projection.Project(memo.Get(text));
    }

    return v;
}

var words = new Dictionary<string, float[]>(StringComparer.Ordinal);
float[] WordVector(string word)
{
    if (!words.TryGetValue(word, out var v))
    {
        words[word] = v = projection.Project(memo.Get(word));
    }

    return v;
}

// The candidates the report's "Candidates tried" section compares (the lookup tries ResponseCache.SemanticCandidates).
const int MaxTried = 4;
var thresholds = Enumerable.Range(0, 60).Select(i => 0.40 + (i * 0.01)).ToArray();

// The pair verifier: trained on pairs of banking77 train's questions the layer was trained on (never the first 8 of an
// intent, which stay for tuning), each question with its closest questions of its own intent (one answer serves) and of
// other intents (the sibling intents a threshold alone lets through).
var verifierPath = outDir is null ? Path.Combine(root, "src/Mesh.Gateway.Caching/Semantic/cache-verifier.bin") : Path.Combine(outDir, "cache-verifier.bin");
PairVerifier verifier;
// Another encoder's verifier is trained in the same run as its layer when it has none yet.
if (args is ["train-verifier", ..] || (outDir is not null && !File.Exists(verifierPath)))
{
    var (pairFeatures, pairSame) = VerifierPairs(bankTrain, perIntentCached + perIntentAsked, neighbours: 3, substitutes: !args.Contains("--no-substitutes"));
    memo.Save();
    Console.Error.WriteLine($"verifier: {pairFeatures.Count} pairs ({pairSame.Count(static s => s)} same intent)");
    var (weights, bias) = VerifierTrainer.Train(pairFeatures, pairSame, new VerifierTrainer.Settings(), Console.Error.WriteLine);
    var trained = new PairVerifier(projection.Outputs, weights, bias, 0.5f);

    // The acceptance probability: the one that lets the most should-hit lookups of the tuning split through at the lowest
    // threshold whose should-miss false hits stay within 2% there.
    var tuning = Evaluate("banking77 train", bankTrain, [], Encode, check: trained);
    var best = (Accept: 0.5f, Threshold: 1.0, Hits: -1.0);
    foreach (var candidate in Enumerable.Range(1, 19).Select(static i => i * 0.05f))
    {
        if (thresholds.FirstOrDefault(t => tuning.MissFalse(t, true, candidate) <= 0.02) is var t && t > 0 && tuning.HitRate(t, true, candidate) is var hits && hits > best.Hits)
        {
            best = (candidate, t, hits);
        }

        Console.Error.WriteLine($"accept {candidate:F2}: threshold {t:F2}, tuning hit rate {tuning.HitRate(t, true, candidate):P1}");
    }

    verifier = new PairVerifier(projection.Outputs, weights, bias, best.Accept);
    using var file = File.Create(verifierPath);
    verifier.Write(file);
    Console.Error.WriteLine($"verifier written: accept at {best.Accept:F2} (threshold {best.Threshold:F2}, tuning hit rate {best.Hits:P1})");
}
else
{
    verifier = outDir is null ? PairVerifier.Shipped : PairVerifier.Read(File.OpenRead(verifierPath));
}


var shown = thresholds.Where((_, i) => i % 4 == 0).ToArray();

var train = Evaluate("banking77 train", bankTrain, [], Encode, check: verifier);
var test = Evaluate("banking77 test", bankTest, [], Encode, check: verifier);
var clincResult = Evaluate("CLINC150 test", clincSet, oos, Encode, check: verifier);
var denseTest = Evaluate("banking77 test, 20 cached an intent", bankTest, [], Encode, DenseCached, DenseAsked, check: verifier);
var denseClinc = Evaluate("CLINC150 test, 20 cached an intent", clincSet, oos, Encode, DenseCached, DenseAsked, check: verifier);
var rawTrain = Evaluate("banking77 train", bankTrain, [], Raw);
var rawTest = Evaluate("banking77 test", bankTest, [], Raw);
var rawDense = Evaluate("banking77 test, 20 cached an intent", bankTest, [], Raw, DenseCached, DenseAsked);
var rawClinc = Evaluate("CLINC150 test", clincSet, oos, Raw);
var hard = HardNegatives.Pairs.Select(p => (Sim: Dot(Encode(p.Cached), Encode(p.Asked)), Same: SalientTerms.Signature(p.Cached) == SalientTerms.Signature(p.Asked))
    is var (sim, same) ? (Sim: sim, Same: same, P: Probability(verifier, p.Asked, p.Cached, sim)) : default).ToList();
var fresh = HardNegatives.Fresh.Select(p => (Sim: Dot(Encode(p.Cached), Encode(p.Asked)), Same: SalientTerms.Signature(p.Cached) == SalientTerms.Signature(p.Asked))
    is var (sim, same) ? (Sim: sim, Same: same, P: Probability(verifier, p.Asked, p.Cached, sim)) : default).ToList();
var korean = File.ReadAllLines(Path.Combine(data, "korean-question-pairs/kor_pair_test.csv")).Skip(1)
    .Select(static l => l.Split(','))
    .Where(static f => f.Length >= 4)
    .Take(400)
    .Select(f => (Sim: Dot(Encode(f[1]), Encode(f[2])), Duplicate: f[3].Trim() == "0", Latin: PromptScript.IsMostlyLatin(f[1]) && PromptScript.IsMostlyLatin(f[2])))
    .ToList();
memo.Save();

// The second stage is chosen on the tuning split only (the options table below): the verifier's acceptance probability
// comes with its weights (train-verifier); the default threshold is then the lowest whose should-miss false hits on the
// tuning split (banking77 train, held out from the layer's and the verifier's training) stay within 2% with the verifier on,
// as the gateway applies it. `before` is the same rule without the verifier (the previous default).
var accept = verifier.Accept;
var chosen = thresholds.First(t => train.MissFalse(t, true, accept) <= 0.02);
var before = thresholds.First(t => train.MissFalse(t, true) <= 0.02);
const double rawThreshold = 0.82;
double HardFalse(double t, float a) => hard.Count(h => h.Same && h.Sim >= t && h.P >= a) / (double)hard.Count;
double FreshFalse(double t, float a) => fresh.Count(h => h.Same && h.Sim >= t && h.P >= a) / (double)fresh.Count;
string Pct(double x) => x.ToString("P1", CultureInfo.InvariantCulture);

var md = new StringBuilder();
md.AppendLine("# Semantic cache quality");
md.AppendLine();
md.AppendLine("Generated by `dotnet run -c Release --project tests/Benchmarks/CacheQuality` (all-MiniLM-L6-v2, the local encoder, then the cache's");
md.AppendLine($"learned layer `Semantic/CacheProjection.cs`, {projection.Inputs} to {projection.Outputs} dimensions, then the pair verifier `Semantic/PairVerifier.cs` on the closest");
md.AppendLine("cached question). Do not edit by hand. The layer is retrained by the same program with `-- train`, the verifier with `-- train-verifier`");
md.AppendLine("(both deterministic, from banking77 train without the first 8 questions of each intent, which are kept for tuning).");
md.AppendLine();
md.AppendLine("## What is measured");
md.AppendLine();
md.AppendLine("A **should-hit** lookup is a question asked after other questions *with the same intent* were answered and cached: it is a");
md.AppendLine("paraphrase or a re-wording whose cached answer would serve it. Per intent the first " + perIntentCached + " questions (file order) are cached and the next");
md.AppendLine(perIntentAsked + " are looked up against everything cached (all intents); the **fuller cache** caches 20 an intent and asks the next 10. Its **hit rate**");
md.AppendLine("counts lookups whose closest cached question reaches the threshold, has the lookup's intent and is accepted by the verifier; a closest");
md.AppendLine("question of another intent above the threshold and accepted is a **false hit among should-hit**.");
md.AppendLine("A **should-miss** lookup is the same question with its own intent's entries removed: a new question the cache has never seen, so");
md.AppendLine("any hit is false. CLINC150's out-of-scope questions (against all of CLINC150's cached questions), the hard negatives");
md.AppendLine("(`HardNegatives.cs`: the same question about two products, versions or places, or one word apart) and the Korean pairs marked different should miss too.");
md.AppendLine("\"Salient\" is the cache's rule that numbers and capitalised names must agree (`Semantic/SalientTerms.cs`); every figure below");
md.AppendLine("applies it and the verifier (as the gateway does) unless it says \"vectors only\" or \"without the verifier\". Cosines are float; the index's int8 codes differ by about 0.001.");
md.AppendLine();
md.AppendLine("The **pair verifier** is a logistic regression over the pair (new question, closest cached question): the cosine, the share of");
md.AppendLine("words in common, how many words differ on each side, and the encoder's vectors (through the layer) of the words only in one");
md.AppendLine("question against those only in the other (their cosine, |a - b| and a * b). It is trained on banking77 train's questions the");
md.AppendLine("layer was trained on: each question with its 3 closest questions of its own intent (accept) and of other intents (refuse), and");
md.AppendLine("one **substitute** of each (refuse): the question with one word replaced by the training vocabulary's word closest to it by the");
md.AppendLine("encoder (the 100 commonest words never replaced; no word sharing its first four letters), which is most often a sibling");
md.AppendLine("(debit for credit) or an opposite. No pair of the hard negatives, CLINC150 or banking77 test is used. Its acceptance probability");
md.AppendLine($"(**{accept:F2}**) is the one that lets most should-hit lookups of the tuning split through at the threshold that keeps that split's");
md.AppendLine("should-miss false hits within 2%.");
md.AppendLine();
md.AppendLine($"**Default threshold: {chosen:F2}** with the verifier accepting at {accept:F2} (tuned on banking77 train's held-out questions: the lowest threshold with");
md.AppendLine($"should-miss false hits <= 2%). Without the verifier the same rule gives {before:F2}, the previous default.");
md.AppendLine();
md.AppendLine("## At the default threshold, on sets it was not tuned on");
md.AppendLine();
md.AppendLine("| set | lookups | hit rate (should hit) | false hits among should-hit | false hits (should miss) | without the verifier at " + before.ToString("F2", CultureInfo.InvariantCulture) + " |");
md.AppendLine("|---|---|---|---|---|---|");
foreach (var r in new[] { denseTest, denseClinc, test, clincResult })
{
    md.AppendLine($"| {r.Name} | {r.Asked.Count} | {Pct(r.HitRate(chosen, true, accept))} | {Pct(r.WrongHit(chosen, true, accept))} | {Pct(r.MissFalse(chosen, true, accept))} | {Pct(r.HitRate(before, true))} / {Pct(r.WrongHit(before, true))} / {Pct(r.MissFalse(before, true))} |");
}

md.AppendLine($"| CLINC150 out of scope, 20 cached an intent | {oos.Count} | - | - | {Pct(denseClinc.OosFalse(chosen, accept))} | {Pct(denseClinc.OosFalse(before))} |");
md.AppendLine($"| CLINC150 out of scope | {oos.Count} | - | - | {Pct(clincResult.OosFalse(chosen, accept))} | {Pct(clincResult.OosFalse(before))} |");
md.AppendLine($"| hard negatives | {hard.Count} | - | - | {Pct(HardFalse(chosen, accept))} ({hard.Count(h => h.Same && h.Sim >= chosen && h.P >= accept)} of {hard.Count}) | {Pct(HardFalse(before, 0))} ({hard.Count(h => h.Same && h.Sim >= before)} of {hard.Count}) |");
md.AppendLine($"| hard negatives, second set (session 13) | {fresh.Count} | - | - | {Pct(FreshFalse(chosen, accept))} ({fresh.Count(h => h.Same && h.Sim >= chosen && h.P >= accept)} of {fresh.Count}) | {Pct(FreshFalse(before, 0))} ({fresh.Count(h => h.Same && h.Sim >= before)} of {fresh.Count}) |");
md.AppendLine($"| hard negatives (vectors only: no salient rule, no verifier) | {hard.Count} | - | - | {Pct(hard.Count(h => h.Sim >= chosen) / (double)hard.Count)} | {Pct(hard.Count(h => h.Sim >= before) / (double)hard.Count)} |");
var kDup = korean.Where(static k => k.Duplicate).ToList();
var kDiff = korean.Where(static k => !k.Duplicate).ToList();
md.AppendLine($"| Korean pairs, different (vectors only) | {kDiff.Count} | - | - | {Pct(kDiff.Count(k => k.Sim >= chosen) / (double)Math.Max(1, kDiff.Count))} | - |");
md.AppendLine($"| Korean pairs, same (vectors only) | {kDup.Count} | {Pct(kDup.Count(k => k.Sim >= chosen) / (double)Math.Max(1, kDup.Count))} | - | - | - |");
md.AppendLine($"| Korean pairs as the gateway treats them (script rule: non-Latin prompts never hit semantically) | {korean.Count} | {Pct(kDup.Count(k => k.Latin && k.Sim >= chosen) / (double)Math.Max(1, kDup.Count))} | - | {Pct(kDiff.Count(k => k.Latin && k.Sim >= chosen) / (double)Math.Max(1, kDiff.Count))} | - |");
md.AppendLine($"| before the layer: banking77 test, encoder alone at {rawThreshold:F2} | {rawTest.Asked.Count} | {Pct(rawTest.HitRate(rawThreshold, true))} | {Pct(rawTest.WrongHit(rawThreshold, true))} | {Pct(rawTest.MissFalse(rawThreshold, true))} | - |");
md.AppendLine($"| before the layer: CLINC150 test, encoder alone at {rawThreshold:F2} | {rawClinc.Asked.Count} | {Pct(rawClinc.HitRate(rawThreshold, true))} | {Pct(rawClinc.WrongHit(rawThreshold, true))} | {Pct(rawClinc.MissFalse(rawThreshold, true))} | - |");
var rawChosen = thresholds.FirstOrDefault(t => rawTrain.MissFalse(t, true) <= 0.02);
foreach (var r in new[] { rawDense, rawTest, rawClinc })
{
    md.AppendLine($"| vectors only (no layer, no verifier): {r.Name}, at {rawChosen:F2} (tuned as the default) | {r.Asked.Count} | {Pct(r.HitRate(rawChosen, true))} | {Pct(r.WrongHit(rawChosen, true))} | {Pct(r.MissFalse(rawChosen, true))} | - |");
}

md.AppendLine();

// The verdict, target by target.
string Met(bool ok) => ok ? "met" : "**not met**";
var misses = new (string Set, double Value)[]
{
    ("hard negatives", HardFalse(chosen, accept)),
    ("hard negatives, second set (session 13)", FreshFalse(chosen, accept)),
    ("CLINC150 out of scope, 20 cached an intent", denseClinc.OosFalse(chosen, accept)),
    ("CLINC150 out of scope", clincResult.OosFalse(chosen, accept)),
    ("banking77 test, new intent, 20 cached an intent", denseTest.MissFalse(chosen, true, accept)),
    ("banking77 test, new intent", test.MissFalse(chosen, true, accept)),
    ("CLINC150 test, new intent, 20 cached an intent", denseClinc.MissFalse(chosen, true, accept)),
    ("CLINC150 test, new intent", clincResult.MissFalse(chosen, true, accept)),
};
var hitsAt = new (string Set, double Value)[]
{
    ("banking77 test, 20 cached an intent", denseTest.HitRate(chosen, true, accept)),
    ("CLINC150 test, 20 cached an intent", denseClinc.HitRate(chosen, true, accept)),
    ("banking77 test", test.HitRate(chosen, true, accept)),
    ("CLINC150 test", clincResult.HitRate(chosen, true, accept)),
};
md.AppendLine("## Verdict, target by target");
md.AppendLine();
md.AppendLine("| target (issue 18, at the default threshold) | set | figure | verdict |");
md.AppendLine("|---|---|---|---|");
foreach (var (set, value) in misses)
{
    md.AppendLine($"| false hits <= 2% of should-miss lookups | {set} | {Pct(value)} | {Met(value <= 0.02)} ({(value - 0.02) * 100:+0.0;-0.0} points) |");
}

foreach (var (set, value) in hitsAt)
{
    md.AppendLine($"| hit rate >= 60% of should-hit lookups | {set} | {Pct(value)} | {Met(value >= 0.60)} ({(value - 0.60) * 100:+0.0;-0.0} points) |");
}

md.AppendLine();
md.AppendLine($"**The issue's targets are met on {misses.Count(static m => m.Value <= 0.02) + hitsAt.Count(static h => h.Value >= 0.60)} of these {misses.Length + hitsAt.Length} rows, not as a whole.** What the verifier changed: the hard negatives,");
md.AppendLine($"which the salient rule and the vectors could not separate when they differ in one lower-case word (open/close a joint account),");
md.AppendLine($"fall from {hard.Count(h => h.Same && h.Sim >= before)} of {hard.Count} hits at {before:F2} without it to {hard.Count(h => h.Same && h.Sim >= chosen && h.P >= accept)} of {hard.Count} at {chosen:F2} with it (a set that informed its design, see the caveat");
md.AppendLine($"below), and the second set, measured afresh, from {fresh.Count(h => h.Same && h.Sim >= before)} of {fresh.Count} to {fresh.Count(h => h.Same && h.Sim >= chosen && h.P >= accept)} of {fresh.Count}: fewer by more than half, still far from 2 %. The lower threshold it allows lifts the hit rate");
md.AppendLine($"(banking77 test, 20 cached an intent: {Pct(denseTest.HitRate(before, true))} -> {Pct(denseTest.HitRate(chosen, true, accept))}; 4 cached: {Pct(test.HitRate(before, true))} -> {Pct(test.HitRate(chosen, true, accept))}). What it does not change: a new");
md.AppendLine($"banking77 question still lands on a sibling intent's answer ({Pct(test.MissFalse(chosen, true, accept))} with 4 cached an intent, {Pct(denseTest.MissFalse(chosen, true, accept))} with 20), because banking77's");
var siblings = test.Asked.Where(l => l.OtherSalient >= chosen).ToList();
var hardAbove = hard.Where(h => h.Same && h.Sim >= chosen).ToList();
md.AppendLine("77 intents are siblings in one narrow domain (card_arrival and card_delivery_estimate, top_up_failed and top_up_reverted) whose");
md.AppendLine($"questions differ in many words at once: the verifier refuses {Pct(siblings.Count(l => l.POther < accept) / (double)Math.Max(1, siblings.Count))} of the sibling candidates above the threshold (banking77 test)");
md.AppendLine($"against {Pct(hardAbove.Count(h => h.P < accept) / (double)Math.Max(1, hardAbove.Count))} of the hard negatives above it. CLINC150's hit rate stays low ({Pct(clincResult.HitRate(chosen, true, accept))}, {Pct(denseClinc.HitRate(chosen, true, accept))} with 20 cached)");
md.AppendLine($"because its questions of one intent are worded far apart: for {Pct(clincResult.Asked.Count(l => l.SameSalient < chosen) / (double)clincResult.Asked.Count)} of its should-hit lookups ({Pct(denseClinc.Asked.Count(l => l.SameSalient < chosen) / (double)denseClinc.Asked.Count)} with 20");
md.AppendLine("cached) no cached question of the same intent reaches the threshold, which no second stage can lift: only a stronger encoder can, and");
md.AppendLine("`cache.encoder` lets a route use one (any Embed route; its threshold is that model's cosine, and the verifier, trained on this");
md.AppendLine("encoder's vectors, does not apply there).");
md.AppendLine();
md.AppendLine("**Which protocol is the headline.** The table puts the fuller cache first: a real cache fills up (every miss is kept), so a");
md.AppendLine("frequently asked intent soon holds many wordings, and 20 an intent is nearer a cache that has served traffic for a while than 4.");
md.AppendLine("It is also the harder case for false hits (a new question meets more of its siblings' wordings), so it flatters neither way.");
md.AppendLine("The tuning stays on 4 cached and 4 asked because banking77 train holds only 8 questions an intent out of the layer's training;");
md.AppendLine("a fuller tuning split would need the layer retrained on fewer questions.");
md.AppendLine();
md.AppendLine("**Caveat on the hard negatives.** They were never trained or tuned on, but the substitutes were added to the verifier's training");
md.AppendLine("after a first verifier (trained on the natural pairs only, `-- train-verifier --no-substitutes`) was measured on them and let");
md.AppendLine("more of them through than the threshold alone; the substitute rule reads no word of the set, but its design knew the set's");
md.AppendLine("failure (one word apart), so their figure is less independent than CLINC150's. The **second set** (`HardNegatives.Fresh`, 40");
md.AppendLine("pairs: the same question about two products, plans or versions, most one lower-case word apart) was written after the verifier");
md.AppendLine($"and committed before anything was measured on it: it measures the verifier afresh, {fresh.Count(h => h.Same && h.Sim >= chosen && h.P >= accept)} of {fresh.Count} hits with it at {chosen:F2}, {fresh.Count(h => h.Same && h.Sim >= before)} of {fresh.Count} without it at {before:F2}");
md.AppendLine($"(so the first set's {Pct(HardFalse(chosen, accept))} flatters the verifier). The pairs of the second set that still hit, with their cosine and the verifier's probability:");
md.AppendLine(string.Join("; ", HardNegatives.Fresh.Zip(fresh).Where(x => x.Second.Same && x.Second.Sim >= chosen && x.Second.P >= accept).Select(x => $"\"{x.First.Cached}\" / \"{x.First.Asked}\" ({x.Second.Sim:F2}, {x.Second.P:F2})")) + ".");
md.AppendLine();

// The second-stage options, on the tuning split only.
md.AppendLine("## Second stage: the options, on the tuning split only");
md.AppendLine();
md.AppendLine("Each option with the lowest threshold that keeps the tuning split's should-miss false hits within 2%, and that split's hit rate");
md.AppendLine("there; the option with the highest is shipped. The **margin test** refuses a hit when the closest cached question of another");
md.AppendLine("intent (another answer) is within the margin of the closest one (an ambiguous question).");
md.AppendLine();
md.AppendLine("| second stage | threshold | tuning hit rate | tuning false hits (should miss) |");
md.AppendLine("|---|---|---|---|");
var options = new List<(string Name, float Accept, double Margin)> { ("none (cosine only)", 0f, 0), ("margin 0.02", 0f, 0.02), ("margin 0.05", 0f, 0.05) };
float[] acceptances = [0.3f, 0.4f, 0.5f, 0.6f, 0.7f];
options.AddRange(acceptances.Select(a => ($"verifier, accepting at {a:F2}", a, 0.0)));
options.Add(($"verifier at {accept:F2} and margin 0.02", accept, 0.02));
foreach (var (name, a, margin) in options)
{
    var t = thresholds.FirstOrDefault(t => train.MissFalse(t, true, a, margin) <= 0.02);
    md.AppendLine(t == 0
        ? $"| {name} | none reaches 2% | - | - |"
        : $"| {name}{(a == accept && margin == 0 ? " (shipped)" : string.Empty)} | {t:F2} | {Pct(train.HitRate(t, true, a, margin))} | {Pct(train.MissFalse(t, true, a, margin))} |");
}

md.AppendLine();
md.AppendLine("## Candidates tried");
md.AppendLine();
md.AppendLine("The lookup puts the closest cached questions above the threshold to the verifier in turn, closest first, and serves the first");
md.AppendLine($"it accepts (`ResponseCache.SemanticCandidates`, now **{Result.Shipped}**). Where the closest is a sibling intent's question and the verifier refuses");
md.AppendLine("it, the next may be a paraphrase's; but each further candidate is also one more chance for a sibling to be accepted. Each row:");
md.AppendLine($"the lowest threshold that keeps the tuning split's should-miss false hits within 2% (verifier at {accept:F2}), the tuning hit rate there");
md.AppendLine("(the choice is made on these two columns: the highest tuning hit rate, the fewest candidates on a tie), then the sets it was not tuned on");
md.AppendLine("at that threshold (hit rate / false hits when it should miss). The hard negatives do not move: each has one cached question.");
md.AppendLine();
md.AppendLine("| candidates tried | threshold | tuning hit rate | tuning false hits | banking77 test, 20 cached | CLINC150 test, 20 cached | banking77 test | CLINC150 test | CLINC150 oos (20 cached) |");
md.AppendLine("|---|---|---|---|---|---|---|---|---|");
for (var k = 1; k <= MaxTried; k++)
{
    var t = thresholds.FirstOrDefault(t => train.MissFalse(t, true, accept, 0, k) <= 0.02);
    string Cell(Result r) => $"{Pct(r.HitRate(t, true, accept, 0, k))} / {Pct(r.MissFalse(t, true, accept, 0, k))}";
    md.AppendLine(t == 0
        ? $"| {k} | none reaches 2% | - | - | - | - | - | - | - |"
        : $"| {k}{(k == Result.Shipped ? " (shipped)" : string.Empty)} | {t:F2} | {Pct(train.HitRate(t, true, accept, 0, k))} | {Pct(train.MissFalse(t, true, accept, 0, k))} | {Cell(denseTest)} | {Cell(denseClinc)} | {Cell(test)} | {Cell(clincResult)} | {Pct(denseClinc.OosFalse(t, accept, 0, k))} |");
}

md.AppendLine();
md.AppendLine("## Per threshold");
md.AppendLine();
md.AppendLine($"With the verifier accepting at {accept:F2}: hit rate / false hits among should-hit / false hits when it should miss; then the out-of-scope,");
md.AppendLine("hard-negative (verifier; without it; vectors only) and Korean-different (vectors only) false-hit rates.");
md.AppendLine();
md.AppendLine("| threshold | banking77 train (tuning) | banking77 test | CLINC150 test | CLINC150 oos | hard neg. | Korean diff. |");
md.AppendLine("|---|---|---|---|---|---|---|");
foreach (var t in shown.Append(chosen).Append(before).Distinct().Order())
{
    string Cell(Result r) => $"{r.HitRate(t, true, accept):P0} / {r.WrongHit(t, true, accept):P1} / {r.MissFalse(t, true, accept):P1}";
    md.AppendLine($"| {t:F2} | {Cell(train)} | {Cell(test)} | {Cell(clincResult)} | {clincResult.OosFalse(t, accept):P1} | {HardFalse(t, accept):P0}; {HardFalse(t, 0):P0}; {hard.Count(h => h.Sim >= t) / (double)hard.Count:P0} | {kDiff.Count(k => k.Sim >= t) / (double)Math.Max(1, kDiff.Count):P0} |");
}

md.AppendLine();
md.AppendLine("## Per threshold, with 20 questions an intent cached");
md.AppendLine();
md.AppendLine("The same measures on the fuller cache (the first 20 questions of each intent cached, the next 10 asked), with the verifier:");
md.AppendLine("more of an intent's wordings are kept, so more new questions find a close one, and a new question also meets more of its");
md.AppendLine("sibling intents' questions.");
md.AppendLine();
md.AppendLine("| threshold | banking77 test | CLINC150 test | CLINC150 oos | hard neg. (verifier; without it) |");
md.AppendLine("|---|---|---|---|---|");
foreach (var t in shown.Append(chosen).Append(before).Distinct().Order())
{
    string Cell(Result r) => $"{r.HitRate(t, true, accept):P0} / {r.WrongHit(t, true, accept):P1} / {r.MissFalse(t, true, accept):P1}";
    md.AppendLine($"| {t:F2} | {Cell(denseTest)} | {Cell(denseClinc)} | {denseClinc.OosFalse(t, accept):P1} | {HardFalse(t, accept):P1}; {HardFalse(t, 0):P1} |");
}

md.AppendLine();
md.AppendLine(memo.Encoded == 0
    ? $"Encoder ({encoder.ModelName}): every vector came from the run's memo (obj/embeddings.bin); the run took {clock.Elapsed.TotalSeconds:F0} s."
    : $"Encoder ({encoder.ModelName}): {memo.Encoded} texts encoded, mean {TimeSpan.FromTicks(memo.EncodeTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency).TotalMilliseconds / memo.Encoded:F1} ms per text on one thread of a shared 2-core machine; the run took {clock.Elapsed.TotalSeconds:F0} s.");
md.AppendLine();
md.AppendLine("Data (copied with their licences into tests/Benchmarks/CacheQuality/data): banking77 (PolyAI, CC-BY-4.0), CLINC150 (CC-BY-3.0), Korean question pairs (songys/Question_pair, MIT).");
var output = outDir is null ? Path.Combine(root, "docs/cache-quality.md") : Path.Combine(outDir, "cache-quality.md");
File.WriteAllText(output, md.ToString());
Console.WriteLine(md.ToString());
return 0;

Result Evaluate(string name, Dictionary<string, List<string>> intents, List<string> outOfScope, Func<string, float[]> Encode, int perIntentCached = 0, int perIntentAsked = 0, PairVerifier? check = null)
{
    perIntentCached = perIntentCached > 0 ? perIntentCached : perIntentCachedDefault;
    perIntentAsked = perIntentAsked > 0 ? perIntentAsked : perIntentAskedDefault;
    var cached = new List<Entry>();
    var asked = new List<Entry>();
    foreach (var (intent, texts) in intents)
    {
        cached.AddRange(texts.Take(perIntentCached).Select(t => new Entry(intent, t, Encode(t), SalientTerms.Signature(t))));
        asked.AddRange(texts.Skip(perIntentCached).Take(perIntentAsked).Select(t => new Entry(intent, t, Encode(t), SalientTerms.Signature(t))));
    }

    // The closest cached question among `among`, its probability by the verifier (1 without one), and the closest of an
    // intent other than its own (for the margin test).
    (float Sim, float P, float Runner) Closest(Entry a, IEnumerable<Entry> among)
    {
        Entry? best = null;
        var sim = -1f;
        foreach (var c in among)
        {
            var d = Dot(a.Vector, c.Vector);
            if (d > sim)
            {
                (best, sim) = (c, d);
            }
        }

        if (best is null)
        {
            return (-1, 0, -1);
        }

        var runner = among.Where(c => c.Intent != best.Intent).Select(c => Dot(a.Vector, c.Vector)).DefaultIfEmpty(-1).Max();
        return (sim, check is null ? 1f : Probability(check, a.Text, best.Text, sim), runner);
    }

    // The MaxTried closest cached questions among `among`, closest first, each with whether it has the lookup's intent and
    // the verifier's probability: the candidates the gateway's lookup puts to the verifier in turn.
    Candidate[] Ranked(Entry a, IEnumerable<Entry> among) =>
        [.. among.Select(c => (Entry: c, Sim: Dot(a.Vector, c.Vector))).OrderByDescending(static x => x.Sim).Take(MaxTried)
            .Select(x => new Candidate(x.Sim, x.Entry.Intent == a.Intent, check is null ? 1f : Probability(check, a.Text, x.Entry.Text, x.Sim)))];

    var oosBest = outOfScope.Select(t =>
    {
        var q = new Entry(string.Empty, t, Encode(t), SalientTerms.Signature(t));
        var among = cached.Where(c => c.Salient == q.Salient).ToList();
        var (sim, p, runner) = Closest(q, among);
        return new OosLookup(sim, p, runner, Ranked(q, among));
    }).ToList();
    return new Result(name, [.. asked.Select(a =>
    {
        var same = Closest(a, cached.Where(c => c.Intent == a.Intent && c.Salient == a.Salient));
        var other = Closest(a, cached.Where(c => c.Intent != a.Intent && c.Salient == a.Salient));
        return new Lookup(
            cached.Where(c => c.Intent == a.Intent).Select(c => Dot(a.Vector, c.Vector)).DefaultIfEmpty(-1).Max(),
            cached.Where(c => c.Intent != a.Intent).Select(c => Dot(a.Vector, c.Vector)).DefaultIfEmpty(-1).Max(),
            same.Sim, other.Sim, same.P, other.P, other.Runner,
            Ranked(a, cached.Where(c => c.Salient == a.Salient)),
            Ranked(a, cached.Where(c => c.Intent != a.Intent && c.Salient == a.Salient)));
    })], oosBest);
}

float Probability(PairVerifier check, string prompt, string cachedPrompt, float similarity)
{
    var features = new float[PairVerifier.FeatureCount(check.WordDimensions)];
    PairVerifier.Describe(prompt, cachedPrompt, similarity, WordVector, features);
    return check.Probability(features);
}

// Pairs of training questions: each question with its `neighbours` closest questions of its own intent and of other
// intents (by the learned layer's cosine), the first `skip` questions of every intent left out.
(List<float[]> Features, List<bool> Same) VerifierPairs(Dictionary<string, List<string>> intents, int skip, int neighbours, bool substitutes)
{
    var entries = intents.SelectMany(i => i.Value.Skip(skip).Select(t => new Entry(i.Key, t, Encode(t), string.Empty))).ToList();
    var features = new List<float[]>();
    var same = new List<bool>();
    for (var i = 0; i < entries.Count; i++)
    {
        // The `neighbours` closest of its own intent and of other intents, kept sorted (closest first).
        var own = new List<(float Sim, int At)>();
        var others = new List<(float Sim, int At)>();
        for (var j = 0; j < entries.Count; j++)
        {
            if (j == i || entries[j].Text == entries[i].Text)
            {
                continue;
            }

            var sim = Dot(entries[i].Vector, entries[j].Vector);
            var list = entries[j].Intent == entries[i].Intent ? own : others;
            if (list.Count < neighbours || sim > list[^1].Sim)
            {
                var at = list.FindIndex(x => x.Sim < sim);
                list.Insert(at < 0 ? list.Count : at, (sim, j));
                if (list.Count > neighbours)
                {
                    list.RemoveAt(list.Count - 1);
                }
            }
        }

        foreach (var (sim, j) in own.Concat(others))
        {
            var f = new float[PairVerifier.FeatureCount(projection.Outputs)];
            PairVerifier.Describe(entries[i].Text, entries[j].Text, sim, WordVector, f);
            features.Add(f);
            same.Add(entries[j].Intent == entries[i].Intent);
        }
    }

    // Substitutes: each question with one of its words replaced by the training vocabulary's word closest to it (the
    // encoder's vectors of single words), which is most often a sibling (debit for credit, cancel for activate) and
    // sometimes an opposite: the same question about another thing, which needs another answer. The 100 commonest words
    // (how, do, my, can) are never replaced nor used, nor is a word sharing its first four letters (card, cards).
    if (substitutes)
    {
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            foreach (var w in PairVerifier.Words(e.Text))
            {
                frequency[w] = frequency.GetValueOrDefault(w) + 1;
            }
        }

        var common = frequency.OrderByDescending(static f => f.Value).ThenBy(static f => f.Key, StringComparer.Ordinal).Take(100).Select(static f => f.Key).ToHashSet(StringComparer.Ordinal);
        var vocabulary = frequency.Keys.Where(w => !common.Contains(w) && w.Length >= 3 && w.All(char.IsLetter)).Order(StringComparer.Ordinal).ToList();
        var nearest = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? Nearest(string word)
        {
            if (!nearest.TryGetValue(word, out var found))
            {
                var v = memo.Get(word);
                var best = -2f;
                foreach (var other in vocabulary)
                {
                    if (other == word || (other.Length >= 4 && word.Length >= 4 && other[..4] == word[..4]) || other.Contains(word, StringComparison.Ordinal) || word.Contains(other, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var sim = Dot(v, memo.Get(other));
                    if (sim > best)
                    {
                        (best, found) = (sim, other);
                    }
                }

                nearest[word] = found;
            }

            return found;
        }

        var random = new Random(18);
        var added = 0;
        foreach (var e in entries)
        {
            var candidates = PairVerifier.Words(e.Text).Where(w => !common.Contains(w) && w.Length >= 3 && w.All(char.IsLetter)).ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            var word = candidates[random.Next(candidates.Count)];
            if (Nearest(word) is not { } replacement)
            {
                continue;
            }

            var text = System.Text.RegularExpressions.Regex.Replace(e.Text, @"\b" + System.Text.RegularExpressions.Regex.Escape(word) + @"\b", replacement, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (text == e.Text)
            {
                continue;
            }

            var f = new float[PairVerifier.FeatureCount(projection.Outputs)];
            PairVerifier.Describe(text, e.Text, Dot(Encode(text), e.Vector), WordVector, f);
            features.Add(f);
            same.Add(false);
            if (++added % 2000 == 0)
            {
                memo.Save();
            }
        }

        Console.Error.WriteLine($"substitutes: {added}");
    }

    return (features, same);
}

string StringArg(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

int IntArg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static Dictionary<string, List<string>> IntentSet(IEnumerable<(string Text, string Intent)> rows)
{
    var set = new Dictionary<string, List<string>>(StringComparer.Ordinal);
    foreach (var (text, intent) in rows)
    {
        if (!set.TryGetValue(intent, out var list))
        {
            set[intent] = list = [];
        }

        list.Add(text);
    }

    return set;
}

static IEnumerable<(string Text, string Intent)> Csv(string path)
{
    var pending = string.Empty;
    foreach (var part in File.ReadLines(path).Skip(1))
    {
        // A quoted text may hold line breaks: gather lines until the quotes balance.
        var line = pending.Length == 0 ? part : pending + " " + part;
        if (line.Count(static c => c == '"') % 2 == 1)
        {
            pending = line;
            continue;
        }

        pending = string.Empty;
        var comma = line.LastIndexOf(',');
        if (comma <= 0)
        {
            continue;
        }

        var text = line[..comma];
        if (text.Length > 1 && text[0] == '"')
        {
            text = text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        }

        yield return (text, line[(comma + 1)..]);
    }
}

static float Dot(float[] a, float[] b)
{
    var sum = 0f;
    for (var i = 0; i < a.Length; i++)
    {
        sum += a[i] * b[i];
    }

    return sum;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mesh.Gateway.sln")))
    {
        dir = dir.Parent;
    }

    return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
}

internal sealed record Entry(string Intent, string Text, float[] Vector, string Salient);

/// <summary>A candidate put to the verifier: its cosine, whether it has the lookup's intent, the verifier's probability.</summary>
internal readonly record struct Candidate(float Sim, bool Same, float P);

/// <summary>An out-of-scope lookup: the closest cached question, its probability, the closest of another intent (margin
/// test), and the ranked candidates.</summary>
internal sealed record OosLookup(float Sim, float P, float Runner, Candidate[] Ranked);

/// <summary>One lookup: the closest cached question of its own intent and of another (vectors only, then with the salient
/// rule), the verifier's probability for each of the two (salient rule), the closest of a third intent (margin test), and
/// the ranked candidates (salient rule) among everything cached and among the other intents' questions only (should miss).</summary>
internal sealed record Lookup(float Same, float Other, float SameSalient, float OtherSalient, float PSame, float POther, float OtherRunner, Candidate[] Ranked, Candidate[] Foreign);

/// <summary>A set's lookups. <c>accept</c>: the verifier's acceptance probability (0: no verifier); <c>margin</c>: refuse a
/// hit whose closest question of another intent is within it (0: no margin test; with a margin only the closest is tried);
/// <c>tried</c>: the candidates above the threshold put to the verifier in turn, closest first, the first accepted serving
/// (as <c>ResponseCache.LookupAsync</c> does). Verifier, margin and candidates apply with the salient rule only.</summary>
internal sealed record Result(string Name, List<Lookup> Asked, List<OosLookup> OosBest)
{
    public static int Shipped => Mesh.Gateway.Caching.Pipeline.ResponseCache.SemanticCandidates;

    public double HitRate(double t, bool salient, float accept = 0, double margin = 0, int tried = 0) =>
        !salient || margin > 0
            ? Asked.Count(l => Best(l, salient) is var (s, o) && s >= t && s >= o && (!salient || (l.PSame >= accept && s - o >= margin))) / (double)Asked.Count
            : Asked.Count(l => Served(l.Ranked, t, accept, tried) is { Same: true }) / (double)Asked.Count;

    public double WrongHit(double t, bool salient, float accept = 0, double margin = 0, int tried = 0) =>
        !salient || margin > 0
            ? Asked.Count(l => Best(l, salient) is var (s, o) && o >= t && o > s && (!salient || (l.POther >= accept && o - s >= margin))) / (double)Asked.Count
            : Asked.Count(l => Served(l.Ranked, t, accept, tried) is { Same: false }) / (double)Asked.Count;

    public double MissFalse(double t, bool salient, float accept = 0, double margin = 0, int tried = 0) =>
        !salient || margin > 0
            ? Asked.Count(l => Best(l, salient).Other >= t && (!salient || (l.POther >= accept && l.OtherSalient - l.OtherRunner >= margin))) / (double)Asked.Count
            : Asked.Count(l => Served(l.Foreign, t, accept, tried) is not null) / (double)Asked.Count;

    public double OosFalse(double t, float accept = 0, double margin = 0, int tried = 0) =>
        OosBest.Count == 0 ? 0
        : margin > 0 ? OosBest.Count(o => o.Sim >= t && o.P >= accept && o.Sim - o.Runner >= margin) / (double)OosBest.Count
        : OosBest.Count(o => Served(o.Ranked, t, accept, tried) is not null) / (double)OosBest.Count;

    // The first of the `tried` closest candidates above the threshold that the verifier accepts, or null (a miss).
    private static Candidate? Served(Candidate[] ranked, double t, float accept, int tried)
    {
        tried = tried > 0 ? tried : Shipped;
        for (var i = 0; i < Math.Min(tried, ranked.Length) && ranked[i].Sim >= t; i++)
        {
            if (ranked[i].P >= accept)
            {
                return ranked[i];
            }
        }

        return null;
    }

    private static (float Same, float Other) Best(Lookup l, bool salient) => salient ? (l.SameSalient, l.OtherSalient) : (l.Same, l.Other);
}
